// An append-only table of vocabulary token texts (UTF-8 bytes as the vocabulary file writes
// them) with an open-addressing hash index, used while loading the BPE merges.

struct VocabularyTextTable {
    private var text: [UInt8] = []
    private var offsets: [Int] = [0]
    private var slots: [Int32]
    private let mask: Int

    /// `capacity` must be a power of two larger than twice the number of tokens.
    init(capacity: Int) {
        slots = [Int32](repeating: -1, count: capacity)
        mask = capacity - 1
    }

    var count: Int { offsets.count - 1 }

    /// Adds a token; returns false (adding nothing) when the text is already present.
    @discardableResult
    mutating func append(_ bytes: [UInt8]) -> Bool {
        let slot = probe(bytes[...])
        guard slots[slot] < 0 else { return false }
        slots[slot] = Int32(count)
        text.append(contentsOf: bytes)
        offsets.append(text.count)
        return true
    }

    /// Adds the token whose text is token `first`'s followed by token `second`'s.
    mutating func appendConcatenation(_ first: Int32, _ second: Int32) -> Bool {
        append(Array(tokenText(first)) + Array(tokenText(second)))
    }

    func find(_ bytes: ArraySlice<UInt8>) -> Int32? {
        let id = slots[probe(bytes)]
        return id >= 0 ? id : nil
    }

    func tokenText(_ id: Int32) -> ArraySlice<UInt8> {
        text[offsets[Int(id)]..<offsets[Int(id) + 1]]
    }

    /// Every token's raw bytes (each text code point mapped back through bytes_to_unicode)
    /// and the offsets per id. Token texts hold only symbols below U+0144 (one or two UTF-8
    /// bytes), which is what the loader admits.
    func rawBytes() -> ([UInt8], [Int]) {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(text.count)
        var rawOffsets = [0]
        rawOffsets.reserveCapacity(offsets.count)
        var index = 0
        for id in 0..<count {
            while index < offsets[id + 1] {
                var codePoint = UInt32(text[index])
                if codePoint >= 0xC0, index + 1 < offsets[id + 1] {
                    codePoint = (codePoint & 0x1F) << 6 | UInt32(text[index + 1] & 0x3F)
                    index += 1
                }
                index += 1
                bytes.append(Unicode.Scalar(codePoint).flatMap(ByteSymbols.byte(for:)) ?? 0x3F)
            }
            rawOffsets.append(bytes.count)
        }
        return (bytes, rawOffsets)
    }

    /// The slot holding `bytes`, or the empty slot where it would go (FNV-1a, linear probing).
    private func probe(_ bytes: ArraySlice<UInt8>) -> Int {
        var hash: UInt64 = 0xCBF2_9CE4_8422_2325
        for byte in bytes { hash = (hash ^ UInt64(byte)) &* 0x0000_0100_0000_01B3 }
        var slot = Int(truncatingIfNeeded: hash ^ (hash >> 29)) & mask
        while slots[slot] >= 0 {
            let candidate = tokenText(slots[slot])
            if candidate.count == bytes.count, candidate.elementsEqual(bytes) { return slot }
            slot = (slot + 1) & mask
        }
        return slot
    }
}
