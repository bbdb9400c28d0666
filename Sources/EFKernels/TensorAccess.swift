// Internal helpers the kernels share: typed pointers into tensor storage, bit-pattern views
// for dtype-agnostic data movement, and output allocation with size checks.

import EFCore

extension Tensor {
    /// Read pointer to the elements as `T` (no dtype check: callers pick `T` from `dtype`).
    @inline(__always)
    func elements<T>(_ type: T.Type) -> UnsafePointer<T> {
        UnsafePointer(storage.pointer.bindMemory(to: T.self, capacity: Swift.max(count, 1)))
    }

    /// Write pointer to the elements as `T`; only for tensors the kernel has just created.
    @inline(__always)
    func mutableElements<T>(_ type: T.Type) -> UnsafeMutablePointer<T> {
        storage.pointer.bindMemory(to: T.self, capacity: Swift.max(count, 1))
    }
}

extension Kernels {
    /// Allocates a zeroed output tensor after checking that its size is sane.
    /// - Throws: `EdgeflowError.invalidInput` when the shape is negative or overflows.
    static func makeOutput(_ dtype: DType, _ shape: [Int], _ context: String) throws -> Tensor {
        guard let count = shape.checkedElementCount,
              !count.multipliedReportingOverflow(by: dtype.byteSize).overflow else {
            throw EdgeflowError(.invalidInput,
                "\(context): output shape \(shape.shapeDescription) is invalid or too large")
        }
        return Tensor(zeros: dtype, shape: shape)
    }

    /// True for float16 and bfloat16, which kernels compute in float32.
    static func isHalfFloat(_ dtype: DType) -> Bool { dtype == .float16 || dtype == .bfloat16 }

    /// Runs `body` on `x` widened to float32 when `x` is float16 or bfloat16 and narrows the
    /// float results back to that dtype; other dtypes pass through unchanged.
    static func computingHalfInFloat32(_ x: Tensor, _ body: (Tensor) throws -> Tensor) throws -> Tensor {
        guard isHalfFloat(x.dtype) else { return try body(x) }
        let result = try body(try cast(x, to: .float32))
        return result.dtype == .float32 ? try cast(result, to: x.dtype) : result
    }
}
