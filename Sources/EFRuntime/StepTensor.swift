// What a step knows of each tensor it touches: where it lives (arena slot or constant) and
// its type; views and typed pointers for the kernels.

import EFCore

/// A tensor a step reads or writes: where it lives and its type.
public struct StepTensor: @unchecked Sendable {
    public let operand: Operand
    public let dtype: DType
    public let shape: [Int]

    public init(_ operand: Operand, _ dtype: DType, _ shape: [Int]) {
        self.operand = operand
        self.dtype = dtype
        self.shape = shape
    }

    public var byteCount: Int { shape.elementCount * dtype.byteSize }

    /// A tensor viewing the operand's bytes without copying.
    func view(_ arena: UnsafeMutableRawPointer) -> Tensor {
        switch operand {
        case .constant(let tensor): return tensor
        case .arena(let offset):
            return Tensor(dtype: dtype, shape: shape,
                          storage: TensorStorage(borrowing: arena + offset, byteCount: byteCount))
        }
    }

    @inline(__always)
    public func floats(_ arena: UnsafeMutableRawPointer) -> UnsafeMutablePointer<Float> {
        operand.pointer(arena).assumingMemoryBound(to: Float.self)
    }
}
