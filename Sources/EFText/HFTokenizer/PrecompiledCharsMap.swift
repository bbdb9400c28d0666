// SentencePiece's precompiled normalization rules (the `Precompiled` normalizer of
// tokenizer.json, base64 of the spm model's `precompiled_charsmap`): a darts-clone double-array
// trie over UTF-8 keys whose values are offsets into a blob of NUL-terminated replacement
// strings. The blob is untrusted, so every trie step is bounds-checked and a walk that leaves
// the array simply ends the search.
//
// Blob layout: u32 little-endian trie size in bytes, the trie (u32 little-endian units), then
// the replacement strings. A unit holds: bits 0–7 the label, bit 8 "has a leaf", bit 9 the
// offset's scale, bits 10–31 the offset (shifted left by 8 when scaled); a leaf unit's value is
// its low 31 bits.

import EFCore
import Foundation

/// The compiled normalization map of a SentencePiece model.
struct PrecompiledCharsMap: Sendable {
    private let units: [UInt32]
    private let replacements: [UInt8]

    /// The largest charsmap accepted, in bytes (real ones are about 240 KB).
    static let maxBytes = 8 << 20

    /// Decodes the base64 text of `field` and checks the layout.
    /// - Throws: `.invalidModel` naming the field for bad base64, a blob over `maxBytes`, a trie
    ///   size that does not fit the blob, or replacement strings that are not UTF-8.
    init(_ field: JSONField) throws {
        let text = try field.string(maxBytes: Self.maxBytes * 4 / 3 + 4)
        guard let data = Data(base64Encoded: text) else { throw field.error("is not valid base64") }
        let blob = [UInt8](data)
        guard blob.count >= 4 else { throw field.error("is shorter than its 4-byte header") }
        let trieBytes = Int(blob[0]) | Int(blob[1]) << 8 | Int(blob[2]) << 16 | Int(blob[3]) << 24
        guard trieBytes % 4 == 0, trieBytes >= 4, trieBytes <= blob.count - 4 else {
            throw field.error("declares a trie of \(trieBytes) bytes, which does not fit its \(blob.count) bytes")
        }
        var units = [UInt32](repeating: 0, count: trieBytes / 4)
        for i in units.indices {
            let at = 4 + 4 * i
            units[i] = UInt32(blob[at]) | UInt32(blob[at + 1]) << 8 | UInt32(blob[at + 2]) << 16
                | UInt32(blob[at + 3]) << 24
        }
        let replacements = Array(blob[(4 + trieBytes)...])
        guard String(validating: replacements, as: UTF8.self) != nil else {
            throw field.error("has replacement strings that are not UTF-8")
        }
        self.units = units
        self.replacements = replacements
    }

    /// The replacement for the shortest key that is a prefix of `key`, or nil when none is.
    func firstPrefixReplacement(_ key: some Collection<UInt8>) -> ArraySlice<UInt8>? {
        var position = 0
        guard let root = unit(0) else { return nil }
        position ^= Self.offset(root)
        for byte in key {
            guard byte != 0 else { return nil }
            position ^= Int(byte)
            guard let node = unit(position), node & 0x8000_00FF == UInt32(byte) else { return nil }
            position ^= Self.offset(node)
            if node & 0x100 != 0 {
                guard let leaf = unit(position) else { return nil }
                return replacement(at: Int(leaf & 0x7FFF_FFFF))
            }
        }
        return nil
    }

    /// Applies the map to `text` as the Rust `tokenizers` library does: each grapheme cluster
    /// shorter than 6 UTF-8 bytes is looked up whole; otherwise (or when it has no entry) each
    /// of its scalars is looked up alone and kept as is when it has none. `keepsStart` becomes
    /// false when the first character maps to nothing.
    func normalize(_ text: [Unicode.Scalar], keepsStart: inout Bool) -> [Unicode.Scalar] {
        var out: [Unicode.Scalar] = []
        out.reserveCapacity(text.count)
        var first = true
        for grapheme in String(String.UnicodeScalarView(text)) {
            defer { first = false }
            let bytes = Array(grapheme.utf8)
            if bytes.count < 6, let replaced = firstPrefixReplacement(bytes) {
                if first && replaced.isEmpty { keepsStart = false }
                out.append(contentsOf: String(decoding: replaced, as: UTF8.self).unicodeScalars)
                continue
            }
            for (index, scalar) in grapheme.unicodeScalars.enumerated() {
                if let replaced = firstPrefixReplacement(Array(String(scalar).utf8)) {
                    if first && index == 0 && replaced.isEmpty { keepsStart = false }
                    out.append(contentsOf: String(decoding: replaced, as: UTF8.self).unicodeScalars)
                } else {
                    out.append(scalar)
                }
            }
        }
        return out
    }

    private func unit(_ position: Int) -> UInt32? {
        position >= 0 && position < units.count ? units[position] : nil
    }

    private static func offset(_ unit: UInt32) -> Int {
        Int(unit >> 10) << Int((unit & 0x200) >> 6)
    }

    /// The NUL-terminated string starting at `start` (to the blob's end when unterminated).
    private func replacement(at start: Int) -> ArraySlice<UInt8>? {
        guard start < replacements.count else { return nil }
        let end = replacements[start...].firstIndex(of: 0) ?? replacements.count
        return replacements[start..<end]
    }
}
