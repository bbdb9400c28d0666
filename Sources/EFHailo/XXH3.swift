// XXH3-64 with seed 0 and the default 192-byte secret, written for Edgeflow from the published
// XXH3 algorithm description: version-2 and -3 HEF headers carry this hash of everything after
// the header (and v5-era files also of the proto alone). Only the 64-bit, unseeded variant.

/// The 64-bit XXH3 hash (seed 0, default secret).
public enum XXH3 {
    private static let prime32s: (UInt64, UInt64, UInt64) = (0x9E37_79B1, 0x85EB_CA77, 0xC2B2_AE3D)
    private static let prime64s: [UInt64] = [0x9E37_79B1_85EB_CA87, 0xC2B2_AE3D_27D4_EB4F, 0x1656_67B1_9E37_79F9,
                                             0x85EB_CA77_C2B2_AE63, 0x27D4_EB2F_1656_67C5]
    private static let mix1: UInt64 = 0x1656_6791_9E37_79F9
    private static let mix2: UInt64 = 0x9FB2_1C65_1E98_DF25

    /// The default secret of the algorithm (192 bytes), a constant of the specification.
    private static let secret: [UInt8] = [
        0xb8, 0xfe, 0x6c, 0x39, 0x23, 0xa4, 0x4b, 0xbe, 0x7c, 0x01, 0x81, 0x2c, 0xf7, 0x21, 0xad, 0x1c,
        0xde, 0xd4, 0x6d, 0xe9, 0x83, 0x90, 0x97, 0xdb, 0x72, 0x40, 0xa4, 0xa4, 0xb7, 0xb3, 0x67, 0x1f,
        0xcb, 0x79, 0xe6, 0x4e, 0xcc, 0xc0, 0xe5, 0x78, 0x82, 0x5a, 0xd0, 0x7d, 0xcc, 0xff, 0x72, 0x21,
        0xb8, 0x08, 0x46, 0x74, 0xf7, 0x43, 0x24, 0x8e, 0xe0, 0x35, 0x90, 0xe6, 0x81, 0x3a, 0x26, 0x4c,
        0x3c, 0x28, 0x52, 0xbb, 0x91, 0xc3, 0x00, 0xcb, 0x88, 0xd0, 0x65, 0x8b, 0x1b, 0x53, 0x2e, 0xa3,
        0x71, 0x64, 0x48, 0x97, 0xa2, 0x0d, 0xf9, 0x4e, 0x38, 0x19, 0xef, 0x46, 0xa9, 0xde, 0xac, 0xd8,
        0xa8, 0xfa, 0x76, 0x3f, 0xe3, 0x9c, 0x34, 0x3f, 0xf9, 0xdc, 0xbb, 0xc7, 0xc7, 0x0b, 0x4f, 0x1d,
        0x8a, 0x51, 0xe0, 0x4b, 0xcd, 0xb4, 0x59, 0x31, 0xc8, 0x9f, 0x7e, 0xc9, 0xd9, 0x78, 0x73, 0x64,
        0xea, 0xc5, 0xac, 0x83, 0x34, 0xd3, 0xeb, 0xc3, 0xc5, 0x81, 0xa0, 0xff, 0xfa, 0x13, 0x63, 0xeb,
        0x17, 0x0d, 0xdd, 0x51, 0xb7, 0xf0, 0xda, 0x49, 0xd3, 0x16, 0x55, 0x26, 0x29, 0xd4, 0x68, 0x9e,
        0x2b, 0x16, 0xbe, 0x58, 0x7d, 0x47, 0xa1, 0xfc, 0x8f, 0xf8, 0xb8, 0xd1, 0x7a, 0xd0, 0x31, 0xce,
        0x45, 0xcb, 0x3a, 0x8f, 0x95, 0x16, 0x04, 0x28, 0xaf, 0xd7, 0xfb, 0xca, 0xbb, 0x4b, 0x40, 0x7e,
    ]

    /// The hash of `bytes`.
    public static func hash(_ bytes: [UInt8]) -> UInt64 {
        bytes.withUnsafeBytes { hash($0) }
    }

    /// The hash of the bytes in `buffer`.
    public static func hash(_ buffer: UnsafeRawBufferPointer) -> UInt64 {
        secret.withUnsafeBytes { key in
            let length = buffer.count
            if length <= 16 { return short(buffer, key) }
            if length <= 128 { return upTo128(buffer, key) }
            if length <= 240 { return upTo240(buffer, key) }
            return long(buffer, key)
        }
    }

    // MARK: Helpers

    private static func read64(_ p: UnsafeRawBufferPointer, _ offset: Int) -> UInt64 {
        UInt64(littleEndian: p.loadUnaligned(fromByteOffset: offset, as: UInt64.self))
    }

    private static func read32(_ p: UnsafeRawBufferPointer, _ offset: Int) -> UInt64 {
        UInt64(UInt32(littleEndian: p.loadUnaligned(fromByteOffset: offset, as: UInt32.self)))
    }

    private static func fold(_ a: UInt64, _ b: UInt64) -> UInt64 {
        let product = a.multipliedFullWidth(by: b)
        return product.high ^ product.low
    }

    private static func rotl(_ x: UInt64, _ r: UInt64) -> UInt64 { (x << r) | (x >> (64 - r)) }

    private static func avalanche(_ input: UInt64) -> UInt64 {
        var h = input ^ (input >> 37)
        h = h &* mix1
        return h ^ (h >> 32)
    }

    private static func avalanche64(_ input: UInt64) -> UInt64 {
        var h = input ^ (input >> 33)
        h = h &* prime64s[1]
        h ^= h >> 29
        h = h &* prime64s[2]
        return h ^ (h >> 32)
    }

    private static func mix16(_ p: UnsafeRawBufferPointer, _ at: Int, _ key: UnsafeRawBufferPointer,
                              _ keyAt: Int) -> UInt64 {
        fold(read64(p, at) ^ read64(key, keyAt), read64(p, at + 8) ^ read64(key, keyAt + 8))
    }

    // MARK: Lengths

    private static func short(_ p: UnsafeRawBufferPointer, _ key: UnsafeRawBufferPointer) -> UInt64 {
        let length = UInt64(p.count)
        switch p.count {
        case 0:
            return avalanche64(read64(key, 56) ^ read64(key, 64))
        case 1...3:
            let combined = UInt64(p[0]) << 16 | UInt64(p[p.count >> 1]) << 24 | UInt64(p[p.count - 1])
                | length << 8
            return avalanche64(combined ^ (read32(key, 0) ^ read32(key, 4)))
        case 4...8:
            let value = read32(p, p.count - 4) &+ (read32(p, 0) << 32)
            var h = value ^ (read64(key, 8) ^ read64(key, 16))
            h ^= rotl(h, 49) ^ rotl(h, 24)
            h = h &* mix2
            h ^= (h >> 35) &+ length
            h = h &* mix2
            return h ^ (h >> 28)
        default:
            let low = read64(p, 0) ^ (read64(key, 24) ^ read64(key, 32))
            let high = read64(p, p.count - 8) ^ (read64(key, 40) ^ read64(key, 48))
            return avalanche(length &+ low.byteSwapped &+ high &+ fold(low, high))
        }
    }

    private static func upTo128(_ p: UnsafeRawBufferPointer, _ key: UnsafeRawBufferPointer) -> UInt64 {
        let n = p.count
        var acc = UInt64(n) &* prime64s[0]
        if n > 32 {
            if n > 64 {
                if n > 96 {
                    acc = acc &+ mix16(p, 48, key, 96) &+ mix16(p, n - 64, key, 112)
                }
                acc = acc &+ mix16(p, 32, key, 64) &+ mix16(p, n - 48, key, 80)
            }
            acc = acc &+ mix16(p, 16, key, 32) &+ mix16(p, n - 32, key, 48)
        }
        acc = acc &+ mix16(p, 0, key, 0) &+ mix16(p, n - 16, key, 16)
        return avalanche(acc)
    }

    private static func upTo240(_ p: UnsafeRawBufferPointer, _ key: UnsafeRawBufferPointer) -> UInt64 {
        let n = p.count
        var acc = UInt64(n) &* prime64s[0]
        for round in 0..<8 { acc = acc &+ mix16(p, 16 * round, key, 16 * round) }
        acc = avalanche(acc)
        for round in 8..<(n / 16) { acc = acc &+ mix16(p, 16 * round, key, 16 * (round - 8) + 3) }
        acc = acc &+ mix16(p, n - 16, key, 136 - 17)
        return avalanche(acc)
    }

    private static func stripe(_ acc: inout [UInt64], _ p: UnsafeRawBufferPointer, _ at: Int,
                               _ key: UnsafeRawBufferPointer, _ keyAt: Int) {
        for lane in 0..<8 {
            let value = read64(p, at + 8 * lane)
            let keyed = value ^ read64(key, keyAt + 8 * lane)
            acc[lane ^ 1] = acc[lane ^ 1] &+ value
            acc[lane] = acc[lane] &+ (keyed & 0xFFFF_FFFF) &* (keyed >> 32)
        }
    }

    private static func long(_ p: UnsafeRawBufferPointer, _ key: UnsafeRawBufferPointer) -> UInt64 {
        let n = p.count
        var acc: [UInt64] = [prime32s.2, prime64s[0], prime64s[1], prime64s[2], prime64s[3], prime32s.1,
                             prime64s[4], prime32s.0]
        let stripesPerBlock = (secret.count - 64) / 8
        let blockLength = 64 * stripesPerBlock
        let blocks = (n - 1) / blockLength
        for block in 0..<blocks {
            for index in 0..<stripesPerBlock { stripe(&acc, p, block * blockLength + 64 * index, key, 8 * index) }
            for lane in 0..<8 {
                var value = acc[lane]
                value ^= value >> 47
                value ^= read64(key, secret.count - 64 + 8 * lane)
                acc[lane] = value &* prime32s.0
            }
        }
        let lastStripes = ((n - 1) - blockLength * blocks) / 64
        for index in 0..<lastStripes { stripe(&acc, p, blocks * blockLength + 64 * index, key, 8 * index) }
        stripe(&acc, p, n - 64, key, secret.count - 64 - 7)
        var result = UInt64(n) &* prime64s[0]
        for pair in 0..<4 {
            result = result &+ fold(acc[2 * pair] ^ read64(key, 11 + 16 * pair),
                                    acc[2 * pair + 1] ^ read64(key, 11 + 16 * pair + 8))
        }
        return avalanche(result)
    }
}
