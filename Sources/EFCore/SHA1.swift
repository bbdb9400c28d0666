// SHA-1 (FIPS 180-4 §6.1), only to check files against the object ids git gives them (a Hugging
// Face listing names a plain file by its git blob id). Not for anything that needs collision
// resistance: model weights are checked by SHA-256.

import Foundation

/// An incremental SHA-1 hasher.
///
/// ```
/// SHA1.hex(of: Data("abc".utf8))  // "a9993e36…"
/// ```
public struct SHA1: MessageDigest {
    private var state: [UInt32] = [0x67452301, 0xEFCDAB89, 0x98BADCFE, 0x10325476, 0xC3D2E1F0]
    private var blocks = MessageBlocks()

    /// A hasher of the empty message.
    public init() {}

    /// Adds bytes to the message.
    public mutating func update(_ bytes: UnsafeRawBufferPointer) {
        var blocks = self.blocks
        blocks.append(bytes) { compress(blocks: $0) }
        self.blocks = blocks
    }

    /// The digest as 40 lowercase hexadecimal characters.
    public mutating func finalizeHex() -> String {
        var blocks = self.blocks
        blocks.finish { compress(blocks: $0) }
        self.blocks = blocks
        return MessageBlocks.bytes(of: state).map { String(format: "%02x", $0) }.joined()
    }

    private static func rotateLeft(_ x: UInt32, _ n: UInt32) -> UInt32 { (x &<< n) | (x &>> (32 &- n)) }

    /// Processes whole 64-byte blocks; `blocks.count` is a multiple of 64.
    private mutating func compress(blocks: UnsafeRawBufferPointer) {
        var (h0, h1, h2, h3, h4) = (state[0], state[1], state[2], state[3], state[4])
        withUnsafeTemporaryAllocation(of: UInt32.self, capacity: 80) { w in
            for start in stride(from: 0, to: blocks.count, by: 64) {
                for t in 0..<16 { w[t] = MessageBlocks.word(blocks, start + 4 * t) }
                for t in 16..<80 { w[t] = Self.rotateLeft(w[t - 3] ^ w[t - 8] ^ w[t - 14] ^ w[t - 16], 1) }
                var (a, b, c, d, e) = (h0, h1, h2, h3, h4)
                for t in 0..<80 {
                    let (f, k): (UInt32, UInt32)
                    switch t {
                    case 0..<20: (f, k) = ((b & c) | (~b & d), 0x5A827999)
                    case 20..<40: (f, k) = (b ^ c ^ d, 0x6ED9EBA1)
                    case 40..<60: (f, k) = ((b & c) | (b & d) | (c & d), 0x8F1BBCDC)
                    default: (f, k) = (b ^ c ^ d, 0xCA62C1D6)
                    }
                    let temp = Self.rotateLeft(a, 5) &+ f &+ e &+ k &+ w[t]
                    (e, d, c, b, a) = (d, c, Self.rotateLeft(b, 30), a, temp)
                }
                h0 &+= a; h1 &+= b; h2 &+= c; h3 &+= d; h4 &+= e
            }
        }
        state = [h0, h1, h2, h3, h4]
    }
}
