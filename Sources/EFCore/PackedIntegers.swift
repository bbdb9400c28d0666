// Packing of the sub-byte types (int4, uint4, float4e2m1: two per byte; int2, uint2: four per
// byte, first element in the lowest bits) as ONNX files and Edgeflow's stored tensors hold them,
// to and from the one-element-per-byte form tensors use in memory (DType's doc comment).

import Foundation

public enum PackedIntegers {
    /// Elements per stored byte: 2 for the 4-bit types, 4 for the 2-bit ones, 1 otherwise.
    public static func elementsPerByte(_ dtype: DType) -> Int { 8 / min(dtype.storedBits, 8) }

    /// True when `dtype` is stored packed (several elements per byte).
    public static func isPacked(_ dtype: DType) -> Bool { dtype.storedBits < 8 }

    /// Bytes `count` packed elements take: ceil(count / elementsPerByte) (never overflows).
    public static func packedByteCount(_ count: Int, _ dtype: DType) -> Int {
        let perByte = elementsPerByte(dtype)
        return count / perByte + (count % perByte == 0 ? 0 : 1)
    }

    /// The in-memory byte of one stored field value (the low `storedBits` bits of `field`):
    /// sign-extended for int4/int2, as it is for the unsigned types and float4e2m1.
    @inline(__always)
    public static func memoryByte(_ field: UInt8, _ dtype: DType) -> UInt8 {
        let bits = UInt8(dtype.storedBits)
        let value = field & ((1 << bits) &- 1)
        switch dtype {
        case .int4, .int2:
            let signBit: UInt8 = 1 << (bits - 1)
            return value & signBit != 0 ? value | ~((1 << bits) &- 1) : value
        default: return value
        }
    }

    /// Unpacks `count` elements of `dtype` from `packed` into one byte each.
    /// - Precondition: `packed.count >= packedByteCount(count, dtype)`, `output` holds `count` bytes.
    public static func unpack(_ packed: UnsafeRawBufferPointer, count: Int, dtype: DType,
                              into output: UnsafeMutablePointer<UInt8>) {
        let perByte = elementsPerByte(dtype), bits = dtype.storedBits
        precondition(packed.count >= packedByteCount(count, dtype), "packed data too short")
        for i in 0..<count {
            let byte = packed[i / perByte]
            output[i] = memoryByte(byte >> UInt8((i % perByte) * bits), dtype)
        }
    }

    /// Packs `count` one-byte elements of `dtype` (low `storedBits` bits of each), padding the
    /// last byte with zero bits.
    public static func pack(_ elements: UnsafePointer<UInt8>, count: Int, dtype: DType) -> Data {
        let perByte = elementsPerByte(dtype), bits = dtype.storedBits
        let mask = UInt8((1 << bits) - 1)
        var out = Data(count: packedByteCount(count, dtype))
        out.withUnsafeMutableBytes { raw in
            for i in 0..<count { raw[i / perByte] |= (elements[i] & mask) << UInt8((i % perByte) * bits) }
        }
        return out
    }
}

extension Tensor {
    /// A tensor of `dtype` unpacked from its stored form (packed for the sub-byte types, the
    /// bytes as they are otherwise).
    /// - Throws: `EdgeflowError.invalidModel` naming `what` when `stored` is not exactly the
    ///   size `shape` needs (checked before allocating).
    public static func unpacking(_ dtype: DType, shape: [Int], stored: UnsafeRawBufferPointer,
                                 _ what: @autoclosure () -> String) throws -> Tensor {
        guard let count = shape.checkedElementCount,
              case let (plain, overflow) = count.multipliedReportingOverflow(by: dtype.byteSize), !overflow else {
            throw EdgeflowError(.invalidModel, "\(what()) declares an absurd shape \(shape.shapeDescription)")
        }
        let needed = PackedIntegers.isPacked(dtype) ? PackedIntegers.packedByteCount(count, dtype) : plain
        guard stored.count == needed else {
            throw EdgeflowError(.invalidModel,
                "\(what()): holds \(stored.count) bytes but its shape \(shape.shapeDescription) of "
                    + "\(dtype.rawValue) needs \(needed)",
                hint: "the file is damaged or was written by a broken exporter")
        }
        guard PackedIntegers.isPacked(dtype) else { return Tensor(dtype: dtype, shape: shape, bytes: stored) }
        let tensor = Tensor(zeros: dtype, shape: shape)
        PackedIntegers.unpack(stored, count: count, dtype: dtype,
                              into: tensor.storage.pointer.assumingMemoryBound(to: UInt8.self))
        return tensor
    }

    /// The stored form of the elements: packed for the sub-byte types, the bytes otherwise.
    public var storedData: Data {
        guard PackedIntegers.isPacked(dtype) else { return data }
        return PackedIntegers.pack(storage.pointer.assumingMemoryBound(to: UInt8.self), count: count, dtype: dtype)
    }
}
