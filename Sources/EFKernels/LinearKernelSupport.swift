// Helpers shared by the linear, resize and quantized kernels: checked output allocation and
// typed pointers into tensor storage.

import EFCore

extension Kernels {
    /// A zeroed tensor of `shape`, after checking that its size is sane.
    /// - Throws: `EdgeflowError.invalidInput` naming `op` when the shape is negative or overflows.
    static func newOutputTensor(_ dtype: DType, _ shape: [Int], op: String) throws -> Tensor {
        guard let count = shape.checkedElementCount,
              !count.multipliedReportingOverflow(by: dtype.byteSize).overflow else {
            throw EdgeflowError(.invalidInput, "\(op): output shape \(shape.shapeDescription) is invalid or too large")
        }
        return Tensor(zeros: dtype, shape: shape)
    }

    /// Read pointer to the elements of `tensor` as `T`.
    /// - Precondition: `T.dtype == tensor.dtype` (checked).
    @inline(__always)
    static func readPointer<T: TensorElement>(_ tensor: Tensor, as type: T.Type) -> UnsafePointer<T> {
        tensor.withUnsafeBufferPointer(as: T.self) { $0.baseAddress! }
    }

    /// Write pointer to the elements of a tensor the kernel has just created.
    /// - Precondition: `T.dtype == tensor.dtype` (checked).
    @inline(__always)
    static func writePointer<T: TensorElement>(_ tensor: Tensor, as type: T.Type) -> UnsafeMutablePointer<T> {
        tensor.withUnsafeMutableBufferPointer(as: T.self) { $0.baseAddress! }
    }
}
