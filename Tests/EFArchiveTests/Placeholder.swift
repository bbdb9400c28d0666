// Placeholder so the target compiles; replaced by the real tests.
