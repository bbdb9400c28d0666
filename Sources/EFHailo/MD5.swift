// MD5 (RFC 1321), written for Edgeflow: version-0 HEF headers carry the MD5 of everything after
// the header. Not for security, only for checking that a file is intact.

import Foundation

/// The MD5 digest (RFC 1321) of a byte sequence.
public enum MD5 {
    /// Per-round left-rotation amounts, four per round.
    private static let shifts: [UInt32] = [7, 12, 17, 22, 5, 9, 14, 20, 4, 11, 16, 23, 6, 10, 15, 21]

    /// The 64 additive constants: the integer part of |sin(i + 1)| · 2³² (RFC 1321 §3.4).
    private static let constants: [UInt32] = (0..<64).map { index in
        UInt32(truncatingIfNeeded: Int64((abs(sin(Double(index + 1))) * 4_294_967_296.0).rounded(.down)))
    }

    /// The 16-byte digest of `bytes`.
    public static func digest<Bytes: Collection>(_ bytes: Bytes) -> [UInt8] where Bytes.Element == UInt8 {
        var state: (UInt32, UInt32, UInt32, UInt32) = (0x6745_2301, 0xEFCD_AB89, 0x98BA_DCFE, 0x1032_5476)
        var block = [UInt8]()
        block.reserveCapacity(64)
        for byte in bytes {
            block.append(byte)
            if block.count == 64 {
                compress(&state, block)
                block.removeAll(keepingCapacity: true)
            }
        }
        let bitLength = UInt64(truncatingIfNeeded: bytes.count) &* 8
        block.append(0x80)
        if block.count > 56 {
            block += [UInt8](repeating: 0, count: 64 - block.count)
            compress(&state, block)
            block.removeAll(keepingCapacity: true)
        }
        block += [UInt8](repeating: 0, count: 56 - block.count)
        for index in 0..<8 { block.append(UInt8(truncatingIfNeeded: bitLength >> (8 * UInt64(index)))) }
        compress(&state, block)
        var out = [UInt8]()
        for word in [state.0, state.1, state.2, state.3] {
            for index in 0..<4 { out.append(UInt8(truncatingIfNeeded: word >> (8 * UInt32(index)))) }
        }
        return out
    }

    /// The digest as 32 lower-case hex digits.
    public static func hex<Bytes: Collection>(_ bytes: Bytes) -> String where Bytes.Element == UInt8 {
        digest(bytes).map { String(format: "%02x", $0) }.joined()
    }

    /// One 64-byte block into the state.
    private static func compress(_ state: inout (UInt32, UInt32, UInt32, UInt32), _ block: [UInt8]) {
        var words = [UInt32](repeating: 0, count: 16)
        for index in 0..<16 {
            let base = index * 4
            words[index] = UInt32(block[base]) | UInt32(block[base + 1]) << 8
                | UInt32(block[base + 2]) << 16 | UInt32(block[base + 3]) << 24
        }
        var (a, b, c, d) = state
        for step in 0..<64 {
            let round = step / 16
            var mixed: UInt32
            let wordIndex: Int
            switch round {
            case 0: mixed = (b & c) | (~b & d); wordIndex = step
            case 1: mixed = (d & b) | (~d & c); wordIndex = (5 * step + 1) % 16
            case 2: mixed = b ^ c ^ d; wordIndex = (3 * step + 5) % 16
            default: mixed = c ^ (b | ~d); wordIndex = (7 * step) % 16
            }
            mixed = mixed &+ a &+ constants[step] &+ words[wordIndex]
            let shift = shifts[round * 4 + step % 4]
            a = d
            d = c
            c = b
            b = b &+ ((mixed << shift) | (mixed >> (32 - shift)))
        }
        state = (state.0 &+ a, state.1 &+ b, state.2 &+ c, state.3 &+ d)
    }
}
