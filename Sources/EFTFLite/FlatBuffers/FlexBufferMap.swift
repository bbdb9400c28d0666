// The scalar and integer-vector entries of a FlexBuffers map: how TFLite stores the options of
// custom operators such as TFLite_Detection_PostProcess and MediaPipe's landmark ops. Every offset
// and width is checked against the buffer; keys must be null-terminated inside it; entries whose
// values are neither int, uint, float or bool nor a vector of integers (strings, nested maps) are
// skipped. The buffer is untrusted: a bad one is an `.invalidModel` error.

import EFCore

/// A FlexBuffers map's scalar values by key, as Double, and its integer vectors.
public struct FlexBufferMap {
    /// The scalar entries.
    public private(set) var values: [String: Double] = [:]
    /// The entries that are vectors of integers (typed VECTOR_INT/VECTOR_UINT, or untyped vectors
    /// whose elements are all integers).
    public private(set) var intVectors: [String: [Int]] = [:]
    private let bytes: [UInt8]
    private let what: String

    /// At most this many entries are read (options maps have a dozen), and at most this many
    /// elements per vector.
    public static let maxEntries = 4096

    /// Reads the map at the root of `bytes`.
    /// - Throws: `.invalidModel` naming `what` when the buffer is not a FlexBuffers map.
    public init(bytes: [UInt8], what: String) throws {
        self.bytes = bytes
        self.what = what
        guard bytes.count >= 3 else { throw invalid("is \(bytes.count) bytes long") }
        let rootWidth = Int(bytes[bytes.count - 1])
        let rootType = bytes[bytes.count - 2]
        guard [1, 2, 4, 8].contains(rootWidth), bytes.count >= 2 + rootWidth, rootType >> 2 == 9 else {
            throw invalid("does not end in a map (width \(rootWidth), type \(rootType >> 2))")
        }
        let rootPosition = bytes.count - 2 - rootWidth
        let map = try backward(from: rootPosition, by: try unsigned(rootPosition, rootWidth))
        let width = 1 << Int(rootType & 3)
        guard map >= 3 * width else { throw invalid("has a map without its header") }
        let count = try unsigned(map - width, width)
        guard count <= FlexBufferMap.maxEntries else { throw invalid("has a map of \(count) entries") }
        let keysField = map - 3 * width
        let keys = try backward(from: keysField, by: try unsigned(keysField, width))
        let keyWidth = try unsigned(map - 2 * width, width)
        guard [1, 2, 4, 8].contains(keyWidth) else { throw invalid("has keys of width \(keyWidth)") }
        let typesStart = map + count * width
        guard typesStart + count <= bytes.count, keys + count * keyWidth <= bytes.count else {
            throw invalid("has a map of \(count) entries that does not fit")
        }
        for index in 0..<count {
            let keyField = keys + index * keyWidth
            let key = try string(at: try backward(from: keyField, by: try unsigned(keyField, keyWidth)))
            let (position, packed) = (map + index * width, bytes[typesStart + index])
            if let value = try scalar(at: position, width: width, packed: packed) {
                values[key] = value
            } else if let vector = try integerVector(at: position, width: width, packed: packed) {
                intVectors[key] = vector
            }
        }
    }

    /// The value of `key` as an integer, `value` when absent.
    /// - Throws: `.invalidModel` when the stored value is not a whole number.
    public func int(_ key: String, _ value: Int) throws -> Int {
        guard let stored = values[key] else { return value }
        guard stored.rounded() == stored, abs(stored) < 1e15 else { throw invalid("has \(key) = \(stored)") }
        return Int(stored)
    }

    /// The value of `key` as a float, `value` when absent.
    public func float(_ key: String, _ value: Float) -> Float { values[key].map { Float($0) } ?? value }
    /// Whether the value of `key` is non-zero, `value` when absent.
    public func bool(_ key: String, _ value: Bool) -> Bool { values[key].map { $0 != 0 } ?? value }

    // MARK: Reading

    private func invalid(_ problem: String) -> EdgeflowError {
        EdgeflowError(.invalidModel, "\(what): the FlexBuffers options \(problem)")
    }

    /// The little-endian unsigned integer of `width` bytes at `position`.
    private func unsigned(_ position: Int, _ width: Int) throws -> Int {
        guard position >= 0, width <= 8, position + width <= bytes.count else {
            throw invalid("point outside their \(bytes.count) bytes")
        }
        var value: UInt64 = 0
        for offset in (0..<width).reversed() { value = value << 8 | UInt64(bytes[position + offset]) }
        guard value <= UInt64(Int.max) else { throw invalid("hold an offset of \(value)") }
        return Int(value)
    }

    /// `position − offset`, checked to stay inside the buffer.
    private func backward(from position: Int, by offset: Int) throws -> Int {
        guard offset <= position else { throw invalid("point before their start") }
        return position - offset
    }

    /// The null-terminated key at `position`.
    private func string(at position: Int) throws -> String {
        guard let end = bytes[position...].firstIndex(of: 0) else { throw invalid("have an unterminated key") }
        return String(decoding: bytes[position..<end], as: UTF8.self)
    }

    /// The value of packed type `packed` stored in `width` bytes at `position` (inline, or behind
    /// an offset for the indirect types); nil for non-scalar types.
    private func scalar(at position: Int, width: Int, packed: UInt8) throws -> Double? {
        let type = packed >> 2, ownWidth = 1 << Int(packed & 3)
        switch type {
        case 1: return Double(try signed(position, width))                  // INT
        case 2, 26: return Double(try unsigned(position, width))            // UINT, BOOL
        case 3: return try floating(position, width)                        // FLOAT
        case 6, 7, 8:                                                       // INDIRECT_INT, _UINT, _FLOAT
            let target = try backward(from: position, by: try unsigned(position, width))
            if type == 6 { return Double(try signed(target, ownWidth)) }
            return type == 7 ? Double(try unsigned(target, ownWidth)) : try floating(target, ownWidth)
        default: return nil
        }
    }

    /// The integers of the vector that the offset of `width` bytes at `position` points to, for
    /// packed types VECTOR (10, when every element is an int or uint), VECTOR_INT (11) and
    /// VECTOR_UINT (12); nil for other types.
    private func integerVector(at position: Int, width: Int, packed: UInt8) throws -> [Int]? {
        let type = packed >> 2, elementWidth = 1 << Int(packed & 3)
        guard (10...12).contains(type) else { return nil }
        let start = try backward(from: position, by: try unsigned(position, width))
        let count = try unsigned(try backward(from: start, by: elementWidth), elementWidth)
        guard count <= FlexBufferMap.maxEntries, start + count * elementWidth <= bytes.count else {
            throw invalid("have a vector of \(count) elements that does not fit")
        }
        var elementSigned = [Bool](repeating: type == 11, count: count)
        if type == 10 {
            guard start + count * elementWidth + count <= bytes.count else {
                throw invalid("have a vector without types")
            }
            for index in 0..<count {
                let elementType = bytes[start + count * elementWidth + index] >> 2
                guard elementType == 1 || elementType == 2 else { return nil }
                elementSigned[index] = elementType == 1
            }
        }
        return try (0..<count).map { index in
            let at = start + index * elementWidth
            return elementSigned[index] ? Int(try signed(at, elementWidth)) : try unsigned(at, elementWidth)
        }
    }

    private func signed(_ position: Int, _ width: Int) throws -> Int64 {
        guard position >= 0, position + width <= bytes.count else { throw invalid("point outside the buffer") }
        var value: UInt64 = 0
        for offset in (0..<width).reversed() { value = value << 8 | UInt64(bytes[position + offset]) }
        let shift = UInt64(64 - 8 * width)
        return Int64(bitPattern: value << shift) >> Int64(shift)
    }

    private func floating(_ position: Int, _ width: Int) throws -> Double {
        switch width {
        case 4: return Double(Float(bitPattern: UInt32(try unsigned(position, 4))))
        case 8:
            guard position >= 0, position + 8 <= bytes.count else { throw invalid("point outside the buffer") }
            var bits: UInt64 = 0
            for offset in (0..<8).reversed() { bits = bits << 8 | UInt64(bytes[position + offset]) }
            return Double(bitPattern: bits)
        default: throw invalid("hold a float of \(width) bytes")
        }
    }
}
