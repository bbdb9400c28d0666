// EFCompiler: placeholder until its first file lands.
