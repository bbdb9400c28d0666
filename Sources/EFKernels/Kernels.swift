// Namespace for the reference kernels: pure functions over tensors, no graph knowledge.
// Each op family has its own file; every kernel documents shapes, dtypes and errors.

/// Reference kernels. The plain implementation here defines the arithmetic that fast kernels
/// must reproduce.
public enum Kernels {}
