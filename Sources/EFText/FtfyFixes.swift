// The deterministic parts of ftfy 6.3's `fix_text` (default configuration) that CLIP's
// `basic_clean` runs: HTML unescaping (per line, off from the first line containing '<'),
// C1 controls as Windows-1252, Latin ligatures, full/half-width forms, curly quotes, line
// breaks, ANSI terminal escapes, control characters, NFC — repeated until nothing changes.
// Not implemented: ftfy's mojibake detection and repair (`fix_encoding`: badness heuristics,
// restore_byte_a0, replace_lossy_sequences, decode_inconsistent_utf8); and `fix_surrogates`
// (a Swift String cannot hold unpaired surrogates).

import Foundation

enum FtfyFixes {
    /// Segments longer than this are split (ftfy's `max_decode_length`).
    static let maxSegmentLength = 1_000_000

    /// `ftfy.fix_text(text)` without the mojibake repair.
    static func fixText(_ text: [Unicode.Scalar]) -> [Unicode.Scalar] {
        var out: [Unicode.Scalar] = []
        out.reserveCapacity(text.count)
        var unescapeHTML = true
        var start = 0
        while start < text.count {
            var end = text[start...].firstIndex(of: "\n").map { $0 + 1 } ?? text.count
            end = min(end, start + maxSegmentLength)
            let segment = Array(text[start..<end])
            if unescapeHTML && segment.contains("<") { unescapeHTML = false }
            out.append(contentsOf: fixSegment(segment, unescapeHTML: unescapeHTML))
            start = end
        }
        return out
    }

    /// One segment, fixed until a round changes nothing (`fix_and_explain`).
    static func fixSegment(_ segment: [Unicode.Scalar], unescapeHTML: Bool) -> [Unicode.Scalar] {
        var text = segment
        while true {
            let original = text
            if unescapeHTML { text = HTMLUnescaper.ftfyUnescape(text) }
            text = text.map(fixC1Control)
            text = mapScalars(text, ligature)
            text = mapScalars(text, characterWidth)
            text = text.map(uncurlQuote)
            text = fixLineBreaks(text)
            text = removeTerminalEscapes(text)
            text = text.filter { !isRemovedControl($0) }
            text = nfc(text)
            if text == original { return text }
        }
    }

    private static func mapScalars(_ text: [Unicode.Scalar],
                                   _ replacement: (Unicode.Scalar) -> [Unicode.Scalar]?) -> [Unicode.Scalar] {
        var out: [Unicode.Scalar] = []
        out.reserveCapacity(text.count)
        for scalar in text {
            if let mapped = replacement(scalar) { out.append(contentsOf: mapped) } else { out.append(scalar) }
        }
        return out
    }

    /// U+0080…U+009F read as the Windows-1252 byte they are (undefined bytes kept).
    static func fixC1Control(_ scalar: Unicode.Scalar) -> Unicode.Scalar {
        (0x80...0x9F).contains(scalar.value) ? Windows1252.scalar(forByte: UInt8(scalar.value)) : scalar
    }

    /// ftfy's LIGATURES table: Latin typographic ligatures and legacy digraphs.
    static func ligature(_ scalar: Unicode.Scalar) -> [Unicode.Scalar]? {
        switch scalar.value {
        case 0x0132: return ["I", "J"]
        case 0x0133: return ["i", "j"]
        case 0x0149: return ["\u{02BC}", "n"]
        case 0x01F1: return ["D", "Z"]
        case 0x01F2: return ["D", "z"]
        case 0x01F3: return ["d", "z"]
        case 0x01C4: return ["D", "\u{017D}"]
        case 0x01C5: return ["D", "\u{017E}"]
        case 0x01C6: return ["d", "\u{017E}"]
        case 0x01C7: return ["L", "J"]
        case 0x01C8: return ["L", "j"]
        case 0x01C9: return ["l", "j"]
        case 0x01CA: return ["N", "J"]
        case 0x01CB: return ["N", "j"]
        case 0x01CC: return ["n", "j"]
        case 0xFB00: return ["f", "f"]
        case 0xFB01: return ["f", "i"]
        case 0xFB02: return ["f", "l"]
        case 0xFB03: return ["f", "f", "i"]
        case 0xFB04: return ["f", "f", "l"]
        case 0xFB05: return ["\u{017F}", "t"]
        case 0xFB06: return ["s", "t"]
        default: return nil
        }
    }

    /// U+3000 → space; U+FF01…U+FFEF → their NFKC form when it differs.
    static func characterWidth(_ scalar: Unicode.Scalar) -> [Unicode.Scalar]? {
        if scalar.value == 0x3000 { return [" "] }
        guard (0xFF01...0xFFEF).contains(scalar.value) else { return nil }
        return widthTable[Int(scalar.value - 0xFF01)]
    }

    private static let widthTable: [[Unicode.Scalar]?] = (0xFF01...0xFFEF).map { value in
        guard let scalar = Unicode.Scalar(UInt32(value)) else { return nil }
        let original = String(Character(scalar))
        let folded = original.precomposedStringWithCompatibilityMapping
        return Array(folded.unicodeScalars) == Array(original.unicodeScalars) ? nil : Array(folded.unicodeScalars)
    }

    /// U+02BC, U+2018…U+201B → '; U+201C…U+201F → ".
    static func uncurlQuote(_ scalar: Unicode.Scalar) -> Unicode.Scalar {
        switch scalar.value {
        case 0x02BC, 0x2018...0x201B: return "'"
        case 0x201C...0x201F: return "\""
        default: return scalar
        }
    }

    /// CRLF, CR, U+2028, U+2029 and U+0085 → LF.
    static func fixLineBreaks(_ text: [Unicode.Scalar]) -> [Unicode.Scalar] {
        var out: [Unicode.Scalar] = []
        out.reserveCapacity(text.count)
        var i = 0
        while i < text.count {
            switch text[i].value {
            case 0x0D:
                out.append("\n")
                if i + 1 < text.count, text[i + 1] == "\n" { i += 1 }
            case 0x2028, 0x2029, 0x85: out.append("\n")
            default: out.append(text[i])
            }
            i += 1
        }
        return out
    }

    /// Removes `ESC [ (decimal digit | ;)* letter` (ftfy's ANSI_RE; \d is any Unicode Nd).
    static func removeTerminalEscapes(_ text: [Unicode.Scalar]) -> [Unicode.Scalar] {
        guard text.contains("\u{1B}") else { return text }
        var out: [Unicode.Scalar] = []
        var i = 0
        while i < text.count {
            if text[i] == "\u{1B}", i + 1 < text.count, text[i + 1] == "[" {
                var j = i + 2
                while j < text.count, text[j] == ";" || text[j].properties.numericType == .decimal { j += 1 }
                if j < text.count, text[j].isASCII, text[j].properties.isAlphabetic {
                    i = j + 1
                    continue
                }
            }
            out.append(text[i])
            i += 1
        }
        return out
    }

    /// ftfy's CONTROL_CHARS: C0 controls but tab, LF, FF, CR; DEL; U+206A…U+206F; BOM;
    /// U+FFF9…U+FFFC.
    static func isRemovedControl(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x00...0x08, 0x0B, 0x0E...0x1F, 0x7F, 0x206A...0x206F, 0xFEFF, 0xFFF9...0xFFFC: return true
        default: return false
        }
    }

    /// Unicode NFC (text below U+0300 is already NFC).
    static func nfc(_ text: [Unicode.Scalar]) -> [Unicode.Scalar] {
        guard text.contains(where: { $0.value >= 0x300 }) else { return text }
        let string = String(String.UnicodeScalarView(text))
        return Array(string.precomposedStringWithCanonicalMapping.unicodeScalars)
    }
}

/// Windows-1252 as ftfy's "sloppy" codec and html.unescape read it: bytes 0x80…0x9F that
/// Windows-1252 leaves undefined stay the same code point.
enum Windows1252 {
    private static let high: [UInt32] = [
        0x20AC, 0x81, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021, 0x02C6, 0x2030, 0x0160, 0x2039, 0x0152, 0x8D, 0x017D, 0x8F,
        0x90, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2013, 0x2014, 0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0x9D, 0x017E, 0x0178,
    ]

    static func scalar(forByte byte: UInt8) -> Unicode.Scalar {
        guard (0x80...0x9F).contains(byte) else { return Unicode.Scalar(byte) }
        return Unicode.Scalar(high[Int(byte - 0x80)]) ?? Unicode.Scalar(byte)
    }
}
