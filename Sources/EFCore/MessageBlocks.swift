// The message framing SHA-1 and SHA-256 share (FIPS 180-4 §5.1.1, §5.2.1): bytes are cut into
// 64-byte blocks for the compression function, and the last block is padded with 0x80, zeros
// and the message length in bits (big-endian). Each hash supplies only its compression function.

/// Buffers a message into whole 64-byte blocks and pads its end.
struct MessageBlocks: Sendable {
    /// Bytes not yet compressed (fewer than one block).
    private var pending: [UInt8] = []
    private var totalBytes: UInt64 = 0

    /// Adds bytes; `compress` receives every whole block (a multiple of 64 bytes at a time).
    mutating func append(_ bytes: UnsafeRawBufferPointer, compress: (UnsafeRawBufferPointer) -> Void) {
        totalBytes &+= UInt64(bytes.count)
        var index = 0
        if !pending.isEmpty {
            let take = Swift.min(64 - pending.count, bytes.count)
            pending.append(contentsOf: bytes[0..<take])
            index = take
            guard pending.count == 64 else { return }
            pending.withUnsafeBytes { compress($0) }
            pending.removeAll(keepingCapacity: true)
        }
        let wholeBlocks = (bytes.count - index) / 64 * 64
        if wholeBlocks > 0 {
            compress(UnsafeRawBufferPointer(rebasing: bytes[index..<index + wholeBlocks]))
            index += wholeBlocks
        }
        pending.append(contentsOf: bytes[index...])
    }

    /// Pads the message and hands `compress` its last one or two blocks.
    mutating func finish(compress: (UnsafeRawBufferPointer) -> Void) {
        let bitLength = totalBytes &* 8
        var tail = pending
        tail.append(0x80)
        while tail.count % 64 != 56 { tail.append(0) }
        for shift in stride(from: 56, through: 0, by: -8) {
            tail.append(UInt8(truncatingIfNeeded: bitLength >> UInt64(shift)))
        }
        tail.withUnsafeBytes { compress($0) }
        pending.removeAll()
    }

    /// The big-endian 32-bit word at `offset` of `block`.
    static func word(_ block: UnsafeRawBufferPointer, _ offset: Int) -> UInt32 {
        UInt32(block[offset]) << 24 | UInt32(block[offset + 1]) << 16 | UInt32(block[offset + 2]) << 8
            | UInt32(block[offset + 3])
    }

    /// `words` as big-endian bytes (the digest).
    static func bytes(of words: [UInt32]) -> [UInt8] {
        words.flatMap { word in (0..<4).map { UInt8(truncatingIfNeeded: word >> UInt32(24 - 8 * $0)) } }
    }
}
