// XXH64, the 64-bit xxHash of Yann Collet (specification: xxHash's doc/xxhash_spec.md), written
// from the specification for the `.efx` section checksums: four 64-bit lanes over 32-byte
// stripes, then the tail in 8-, 4- and 1-byte steps, then the avalanche. Little-endian reads
// regardless of the host. One-shot (`hash`) and streaming (`update`/`digest`) forms agree.

/// The XXH64 hash, one-shot or streaming.
public struct XXH64: Sendable {
    static let prime1: UInt64 = 0x9E37_79B1_85EB_CA87
    static let prime2: UInt64 = 0xC2B2_AE3D_27D4_EB4F
    static let prime3: UInt64 = 0x1656_67B1_9E37_79F9
    static let prime4: UInt64 = 0x85EB_CA77_C2B2_AE63
    static let prime5: UInt64 = 0x27D4_EB2F_1656_67C5

    private let seed: UInt64
    private var lanes: (UInt64, UInt64, UInt64, UInt64)
    private var pending: [UInt8] = []  // fewer than 32 bytes not yet folded into the lanes
    private var totalLength: UInt64 = 0

    /// A streaming hasher with `seed` (the `.efx` format uses 0).
    public init(seed: UInt64 = 0) {
        self.seed = seed
        lanes = XXH64.initialLanes(seed)
        pending.reserveCapacity(32)
    }

    /// The XXH64 of `bytes` with `seed`.
    public static func hash(_ bytes: UnsafeRawBufferPointer, seed: UInt64 = 0) -> UInt64 {
        guard let base = bytes.baseAddress, bytes.count > 0 else { return finish(seed &+ prime5, length: 0) }
        var offset = 0
        var accumulator: UInt64
        if bytes.count >= 32 {
            var state = initialLanes(seed)
            offset = stripes(base, count: bytes.count, lanes: &state)
            accumulator = merge(state)
        } else {
            accumulator = seed &+ prime5
        }
        accumulator &+= UInt64(bytes.count)
        accumulator = tail(base + offset, count: bytes.count - offset, into: accumulator)
        return avalanche(accumulator)
    }

    /// The XXH64 of `bytes` with `seed`.
    public static func hash(_ bytes: [UInt8], seed: UInt64 = 0) -> UInt64 {
        bytes.withUnsafeBytes { hash($0, seed: seed) }
    }

    /// Adds `bytes` to the hashed input.
    public mutating func update(_ bytes: UnsafeRawBufferPointer) {
        guard let base = bytes.baseAddress, bytes.count > 0 else { return }
        totalLength &+= UInt64(bytes.count)
        var offset = 0
        if !pending.isEmpty {
            let take = min(32 - pending.count, bytes.count)
            pending.append(contentsOf: UnsafeRawBufferPointer(start: base, count: take))
            offset = take
            guard pending.count == 32 else { return }
            pending.withUnsafeBytes { _ = XXH64.stripes($0.baseAddress!, count: 32, lanes: &lanes) }
            pending.removeAll(keepingCapacity: true)
        }
        offset += XXH64.stripes(base + offset, count: bytes.count - offset, lanes: &lanes)
        pending.append(contentsOf: UnsafeRawBufferPointer(start: base + offset, count: bytes.count - offset))
    }

    /// The hash of everything added so far (the hasher can go on taking input).
    public func digest() -> UInt64 {
        var accumulator = totalLength >= 32 ? XXH64.merge(lanes) : seed &+ XXH64.prime5
        accumulator &+= totalLength
        return pending.withUnsafeBytes { rest in
            guard let base = rest.baseAddress else { return XXH64.avalanche(accumulator) }
            return XXH64.avalanche(XXH64.tail(base, count: rest.count, into: accumulator))
        }
    }

    // MARK: - The algorithm

    private static func initialLanes(_ seed: UInt64) -> (UInt64, UInt64, UInt64, UInt64) {
        (seed &+ prime1 &+ prime2, seed &+ prime2, seed, seed &- prime1)
    }

    @inline(__always)
    private static func round(_ accumulator: UInt64, _ input: UInt64) -> UInt64 {
        rotate(accumulator &+ input &* prime2, 31) &* prime1
    }

    @inline(__always)
    private static func rotate(_ value: UInt64, _ bits: UInt64) -> UInt64 {
        (value << bits) | (value >> (64 - bits))
    }

    @inline(__always)
    private static func read64(_ pointer: UnsafeRawPointer, _ offset: Int) -> UInt64 {
        UInt64(littleEndian: pointer.loadUnaligned(fromByteOffset: offset, as: UInt64.self))
    }

    /// Folds every whole 32-byte stripe of `count` bytes into `lanes`; returns the bytes used.
    private static func stripes(_ base: UnsafeRawPointer, count: Int,
                                lanes: inout (UInt64, UInt64, UInt64, UInt64)) -> Int {
        var (v1, v2, v3, v4) = lanes
        var offset = 0
        while count - offset >= 32 {
            v1 = round(v1, read64(base, offset))
            v2 = round(v2, read64(base, offset + 8))
            v3 = round(v3, read64(base, offset + 16))
            v4 = round(v4, read64(base, offset + 24))
            offset += 32
        }
        lanes = (v1, v2, v3, v4)
        return offset
    }

    private static func merge(_ lanes: (UInt64, UInt64, UInt64, UInt64)) -> UInt64 {
        var result = rotate(lanes.0, 1) &+ rotate(lanes.1, 7) &+ rotate(lanes.2, 12) &+ rotate(lanes.3, 18)
        for lane in [lanes.0, lanes.1, lanes.2, lanes.3] {
            result = (result ^ round(0, lane)) &* prime1 &+ prime4
        }
        return result
    }

    /// Folds the last `count` (< 32) bytes into `accumulator`.
    private static func tail(_ base: UnsafeRawPointer, count: Int, into accumulator: UInt64) -> UInt64 {
        var result = accumulator
        var offset = 0
        while count - offset >= 8 {
            result = rotate(result ^ round(0, read64(base, offset)), 27) &* prime1 &+ prime4
            offset += 8
        }
        if count - offset >= 4 {
            let word = UInt64(UInt32(littleEndian: base.loadUnaligned(fromByteOffset: offset, as: UInt32.self)))
            result = rotate(result ^ (word &* prime1), 23) &* prime2 &+ prime3
            offset += 4
        }
        while offset < count {
            let byte = UInt64(base.load(fromByteOffset: offset, as: UInt8.self))
            result = rotate(result ^ (byte &* prime5), 11) &* prime1
            offset += 1
        }
        return result
    }

    private static func avalanche(_ value: UInt64) -> UInt64 {
        var result = value
        result ^= result >> 33
        result &*= prime2
        result ^= result >> 29
        result &*= prime3
        result ^= result >> 32
        return result
    }

    private static func finish(_ accumulator: UInt64, length: UInt64) -> UInt64 {
        avalanche(accumulator &+ length)
    }
}
