// ONNX BitCast: the same bits read as another type of the same width. Sub-byte types live one
// element per byte in memory (docs/numerics.md), so their codes are masked to their width and
// signed ones sign-extended; bool, stored as 0 or 1, reads any nonzero code as true.

import EFCore

extension Kernels {
    /// `x` reinterpreted as `dtype`, same shape.
    /// - Throws: `EdgeflowError.invalidInput` when the two types differ in bit width.
    public static func bitCast(_ x: Tensor, to dtype: DType) throws -> Tensor {
        guard x.dtype.storedBits == dtype.storedBits else {
            throw EdgeflowError(.invalidInput, "bitCast: \(x.dtype.rawValue) has \(x.dtype.storedBits) bits and "
                + "\(dtype.rawValue) \(dtype.storedBits); BitCast needs equal widths")
        }
        let output = try makeOutput(dtype, x.shape, "bitCast")
        x.withUnsafeBytes { source in
            guard let base = source.baseAddress, !source.isEmpty else { return }
            output.storage.pointer.copyMemory(from: base, byteCount: source.count)
        }
        guard dtype.byteSize == 1, dtype.storedBits < 8 || dtype == .bool else { return output }
        let bytes = output.mutableElements(UInt8.self), bits = dtype.storedBits
        for i in 0..<output.count {
            if dtype == .bool {
                bytes[i] = bytes[i] == 0 ? 0 : 1
            } else {
                let code = bytes[i] & UInt8((1 << bits) - 1)
                let negative = (dtype == .int4 || dtype == .int2) && code >> (bits - 1) != 0
                bytes[i] = negative ? code | ~UInt8((1 << bits) - 1) : code
            }
        }
        return output
    }
}
