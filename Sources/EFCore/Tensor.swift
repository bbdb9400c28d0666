// The tensor value: a dtype, a static shape and 64-byte aligned storage shared by copies.

import Foundation
import Synchronization

/// 64-byte aligned bytes shared between tensors that view it: either owned (allocated and
/// zeroed here, freed with the last tensor) or borrowed (someone else's memory, e.g. a slot of
/// the runtime's arena, which must outlive every tensor viewing it).
public final class TensorStorage: @unchecked Sendable {
    public static let alignment = 64
    public let pointer: UnsafeMutableRawPointer
    public let byteCount: Int
    private let owned: Bool

    private static let allocations = Atomic<Int>(0)

    /// How many owned storages have been allocated in this process so far (tests use the
    /// difference across a run to prove a path allocates no tensor memory).
    public static var allocationCount: Int { allocations.load(ordering: .relaxed) }

    /// Allocates `byteCount` zeroed bytes.
    public init(byteCount: Int) {
        self.byteCount = byteCount
        owned = true
        pointer = UnsafeMutableRawPointer.allocate(
            byteCount: Swift.max(byteCount, 1), alignment: TensorStorage.alignment)
        pointer.initializeMemory(as: UInt8.self, repeating: 0, count: Swift.max(byteCount, 1))
        TensorStorage.allocations.add(1, ordering: .relaxed)
    }

    /// Views `byteCount` bytes at `pointer` without owning them.
    public init(borrowing pointer: UnsafeMutableRawPointer, byteCount: Int) {
        self.pointer = pointer
        self.byteCount = byteCount
        owned = false
    }

    deinit { if owned { pointer.deallocate() } }
}

/// A dense row-major tensor.
///
/// Storage is shared between copies and must be treated as immutable once a tensor has been
/// handed to someone else: kernels write only into tensors they have just created.
public struct Tensor: @unchecked Sendable, CustomStringConvertible {
    public let dtype: DType
    public let shape: [Int]
    public let storage: TensorStorage

    /// Number of elements.
    public var count: Int { shape.elementCount }
    public var rank: Int { shape.count }
    public var byteCount: Int { count * dtype.byteSize }

    /// A zero-filled tensor. The caller guarantees the size is sane (see `checkedElementCount`).
    public init(zeros dtype: DType, shape: [Int]) {
        self.dtype = dtype
        self.shape = shape
        storage = TensorStorage(byteCount: shape.elementCount * dtype.byteSize)
    }

    /// A tensor holding `scalars` in row-major order.
    /// - Precondition: `scalars.count == shape.elementCount`.
    public init<T: TensorElement>(shape: [Int], scalars: [T]) {
        precondition(scalars.count == shape.elementCount,
                     "\(scalars.count) scalars do not fill shape \(shape)")
        self.init(zeros: T.dtype, shape: shape)
        scalars.withUnsafeBytes { source in
            if let base = source.baseAddress { storage.pointer.copyMemory(from: base, byteCount: source.count) }
        }
    }

    /// A rank-0 tensor.
    public init<T: TensorElement>(scalar: T) { self.init(shape: [], scalars: [scalar]) }

    /// A tensor whose bytes are copied from `bytes` (little-endian element encoding).
    /// - Precondition: `bytes.count == shape.elementCount * dtype.byteSize`.
    public init(dtype: DType, shape: [Int], bytes: UnsafeRawBufferPointer) {
        precondition(bytes.count == shape.elementCount * dtype.byteSize, "byte count does not match shape")
        self.init(zeros: dtype, shape: shape)
        if let base = bytes.baseAddress { storage.pointer.copyMemory(from: base, byteCount: bytes.count) }
    }

    /// A view of the same storage with another shape of equal element count.
    public func reshaped(_ newShape: [Int]) -> Tensor {
        precondition(newShape.elementCount == count, "reshape \(shape) to \(newShape) changes element count")
        return Tensor(dtype: dtype, shape: newShape, storage: storage)
    }

    /// A tensor over existing storage (e.g. a borrowed arena slot).
    /// - Precondition: the storage holds at least `shape.elementCount * dtype.byteSize` bytes.
    public init(dtype: DType, shape: [Int], storage: TensorStorage) {
        precondition(storage.byteCount >= shape.elementCount * dtype.byteSize, "storage too small for \(shape)")
        self.dtype = dtype
        self.shape = shape
        self.storage = storage
    }

    /// The elements as a Swift array.
    /// - Precondition: `T.dtype == dtype`.
    public func scalars<T: TensorElement>(as type: T.Type = T.self) -> [T] {
        withUnsafeBufferPointer(as: T.self) { Array($0) }
    }

    /// Read access to the elements.
    /// - Precondition: `T.dtype == dtype`.
    public func withUnsafeBufferPointer<T: TensorElement, R>(
        as type: T.Type, _ body: (UnsafeBufferPointer<T>) throws -> R
    ) rethrows -> R {
        precondition(T.dtype == dtype, "tensor is \(dtype), read as \(T.dtype)")
        let typed = storage.pointer.bindMemory(to: T.self, capacity: count)
        return try body(UnsafeBufferPointer(start: typed, count: count))
    }

    /// Write access to the elements; only for tensors the caller has just created.
    /// - Precondition: `T.dtype == dtype`.
    public func withUnsafeMutableBufferPointer<T: TensorElement, R>(
        as type: T.Type, _ body: (UnsafeMutableBufferPointer<T>) throws -> R
    ) rethrows -> R {
        precondition(T.dtype == dtype, "tensor is \(dtype), written as \(T.dtype)")
        let typed = storage.pointer.bindMemory(to: T.self, capacity: count)
        return try body(UnsafeMutableBufferPointer(start: typed, count: count))
    }

    /// The raw little-endian bytes of the elements.
    public func withUnsafeBytes<R>(_ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
        try body(UnsafeRawBufferPointer(start: storage.pointer, count: byteCount))
    }

    /// The raw bytes as `Data` (a copy).
    public var data: Data { withUnsafeBytes { Data($0) } }

    /// True when dtype, shape and bytes are identical (NaN payloads compare bitwise).
    public func isBitwiseEqual(to other: Tensor) -> Bool {
        guard dtype == other.dtype, shape == other.shape else { return false }
        return withUnsafeBytes { a in other.withUnsafeBytes { b in a.elementsEqual(b) } }
    }

    public var description: String { "Tensor<\(dtype.rawValue)>\(shape.shapeDescription)" }
}

extension Tensor {
    /// The elements converted to Double, for any numeric or bool dtype (tests and messages).
    public func doubleValues() -> [Double] {
        switch dtype {
        case .float32: return scalars(as: Float.self).map(Double.init)
        case .float64: return scalars(as: Double.self)
        case .float16: return scalars(as: Float16.self).map(Double.init)
        case .bfloat16: return scalars(as: BFloat16.self).map { Double($0.floatValue) }
        case .int8: return scalars(as: Int8.self).map(Double.init)
        case .uint8: return scalars(as: UInt8.self).map(Double.init)
        case .int16: return scalars(as: Int16.self).map(Double.init)
        case .uint16: return scalars(as: UInt16.self).map(Double.init)
        case .int32: return scalars(as: Int32.self).map(Double.init)
        case .uint32: return scalars(as: UInt32.self).map(Double.init)
        case .int64: return scalars(as: Int64.self).map(Double.init)
        // Not Double.init, which binds to init(bitPattern:).
        case .uint64: return scalars(as: UInt64.self).map { Double($0) }
        case .bool: return scalars(as: Bool.self).map { $0 ? 1 : 0 }
        case .float8e4m3fn, .float8e4m3fnuz, .float8e5m2, .float8e5m2fnuz, .float8e8m0, .float4e2m1,
             .int4, .uint4, .int2, .uint2:
            return withUnsafeBytes { bytes in bytes.map { dtype.smallTypeValue(of: $0) } }
        }
    }

    /// The elements of an integer tensor as Int (shape operands such as Reshape's shape).
    /// - Parameter what: names the tensor in errors, e.g. "Reshape node 'r' shape".
    /// - Throws: `EdgeflowError.invalidModel` for non-integer dtypes and for uint64 values above
    ///   `Int.max` (never traps).
    public func intValues(_ what: @autoclosure () -> String = "integer tensor") throws -> [Int] {
        switch dtype {
        case .int64: return scalars(as: Int64.self).map { Int($0) }
        case .int32: return scalars(as: Int32.self).map { Int($0) }
        case .int16: return scalars(as: Int16.self).map { Int($0) }
        case .uint16: return scalars(as: UInt16.self).map { Int($0) }
        case .int8: return scalars(as: Int8.self).map { Int($0) }
        case .uint8: return scalars(as: UInt8.self).map { Int($0) }
        case .uint32: return scalars(as: UInt32.self).map { Int($0) }
        case .uint64:
            return try scalars(as: UInt64.self).map { try CheckedSize.int($0, what(), kind: .invalidModel) }
        default:
            throw EdgeflowError(.invalidModel, "\(what()): expected an integer tensor, got \(dtype.rawValue)")
        }
    }
}
