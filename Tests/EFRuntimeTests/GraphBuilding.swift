// Test tensors for the runtime tests (graphs come from EFTestSupport's TestGraphBuilder).

import EFCore
import EFRuntime
import EFTestSupport

/// A float32 tensor of reproducible values in [-1, 1).
func testTensor(_ shape: [Int], seed: UInt64 = 1) -> Tensor {
    Tensor(shape: shape, scalars: deterministicFloats(shape.elementCount, seed: seed))
}
