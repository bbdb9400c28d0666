// HTML character references as CLIP's text cleanup decodes them: Python's `html.unescape`
// (HTML5 rules: numeric references with Windows-1252 fix-ups, every HTML5 name, legacy names
// without ';', longest-prefix matching) and ftfy 6.3's stricter `unescape_html` (only
// `&name;` / `&#…;` forms, plus upper-case aliases such as `&EACUTE;`).

enum HTMLUnescaper {
    /// name (with its ';' when it has one) → replacement, from `HTMLEntityTable`.
    static let html5: [String: [Unicode.Scalar]] = {
        var table: [String: [Unicode.Scalar]] = [:]
        table.reserveCapacity(2300)
        for entry in HTMLEntityTable.html5.split(whereSeparator: { $0 == " " || $0 == "\n" }) {
            guard let equals = entry.firstIndex(of: "=") else { continue }
            let scalars = entry[entry.index(after: equals)...].split(separator: "+")
                .compactMap { UInt32($0, radix: 16).flatMap(Unicode.Scalar.init) }
            table[String(entry[..<equals])] = scalars
        }
        return table
    }()

    /// ftfy's table: every `&name;` of HTML5, and for lower-case names whose upper-case form
    /// `html.unescape` leaves alone, that form mapped to the upper-cased value.
    static let ftfyEntities: [String: [Unicode.Scalar]] = {
        var table: [String: [Unicode.Scalar]] = [:]
        for (name, value) in html5 where name.hasSuffix(";") {
            table[name] = value
        }
        for (name, value) in html5 where name.hasSuffix(";") && name == name.lowercased() {
            let upper = Array(("&" + name.uppercased()).unicodeScalars)
            if pythonUnescape(upper) == upper, table[String(String.UnicodeScalarView(upper.dropFirst()))] == nil {
                table[String(String.UnicodeScalarView(upper.dropFirst()))] =
                    Array(String(String.UnicodeScalarView(value)).uppercased().unicodeScalars)
            }
        }
        return table
    }()

    /// Python's `html.unescape`.
    static func pythonUnescape(_ text: [Unicode.Scalar]) -> [Unicode.Scalar] {
        guard text.contains("&") else { return text }
        var out: [Unicode.Scalar] = []
        out.reserveCapacity(text.count)
        var i = 0
        while i < text.count {
            if text[i] == "&", let (end, replacement) = pythonReference(text, at: i) {
                out.append(contentsOf: replacement)
                i = end
            } else {
                out.append(text[i])
                i += 1
            }
        }
        return out
    }

    /// ftfy's `unescape_html`: `&#?[0-9A-Za-z]{1,24};` replaced when it is an entity of
    /// `ftfyEntities`, or a numeric reference `html.unescape` decodes whole.
    static func ftfyUnescape(_ text: [Unicode.Scalar]) -> [Unicode.Scalar] {
        guard text.contains("&") else { return text }
        var out: [Unicode.Scalar] = []
        out.reserveCapacity(text.count)
        var i = 0
        while i < text.count {
            guard text[i] == "&" else { out.append(text[i]); i += 1; continue }
            var j = i + 1
            if j < text.count, text[j] == "#" { j += 1 }
            let nameStart = j
            while j < text.count, j - nameStart <= 24, isASCIIAlphanumeric(text[j]) { j += 1 }
            let length = j - nameStart
            guard (1...24).contains(length), j < text.count, text[j] == ";" else {
                out.append(text[i]); i += 1; continue
            }
            let match = Array(text[i...j])
            out.append(contentsOf: ftfyReplacement(match))
            i = j + 1
        }
        return out
    }

    private static func ftfyReplacement(_ match: [Unicode.Scalar]) -> [Unicode.Scalar] {
        if let value = ftfyEntities[String(String.UnicodeScalarView(match.dropFirst()))] { return value }
        guard match[1] == "#" else { return match }
        let decoded = pythonUnescape(match)
        return decoded.contains(";") ? match : decoded
    }

    /// The reference starting at `text[start] == "&"` per html.unescape's pattern
    /// `&(#[0-9]+;?|#[xX][0-9a-fA-F]+;?|[^\t\n\f <&#;]{1,32};?)`: end index and replacement.
    private static func pythonReference(_ text: [Unicode.Scalar], at start: Int) -> (Int, [Unicode.Scalar])? {
        var j = start + 1
        guard j < text.count else { return nil }
        if text[j] == "#" {
            j += 1
            var radix: UInt32 = 10
            if j < text.count, text[j] == "x" || text[j] == "X",
               j + 1 < text.count, text[j + 1].properties.isASCIIHexDigit { radix = 16; j += 1 }
            let digitsStart = j
            var value: UInt32 = 0
            while j < text.count, let digit = digitValue(text[j], radix: radix) {
                value = value > 0x10FFFF ? value : value * radix + digit
                j += 1
            }
            guard j > digitsStart else { return nil }
            if j < text.count, text[j] == ";" { j += 1 }
            return (j, numericReplacement(value))
        }
        let nameStart = j
        while j < text.count, j - nameStart < 32, !isNameTerminator(text[j]) { j += 1 }
        guard j > nameStart else { return nil }
        if j < text.count, text[j] == ";" { j += 1 }
        let name = Array(text[nameStart..<j])
        if let value = html5[String(String.UnicodeScalarView(name))] { return (j, value) }
        if name.count > 2 {
            for prefix in stride(from: name.count - 1, through: 2, by: -1) {
                if let value = html5[String(String.UnicodeScalarView(name[..<prefix]))] {
                    return (j, value + name[prefix...])
                }
            }
        }
        return (j, ["&"] + name)
    }

    private static func numericReplacement(_ value: UInt32) -> [Unicode.Scalar] {
        if value == 0 { return ["\u{FFFD}"] }
        if value == 0x0D { return ["\r"] }
        if (0x80...0x9F).contains(value) { return [Windows1252.scalar(forByte: UInt8(value))] }
        if (0xD800...0xDFFF).contains(value) || value > 0x10FFFF { return ["\u{FFFD}"] }
        if isInvalidCodePoint(value) { return [] }
        return Unicode.Scalar(value).map { [$0] } ?? ["\u{FFFD}"]
    }

    /// html's `_invalid_codepoints`: C0 controls but tab, LF, FF, CR; DEL and C1 (C1 never
    /// reaches here); noncharacters.
    private static func isInvalidCodePoint(_ value: UInt32) -> Bool {
        (0x01...0x08).contains(value) || value == 0x0B || (0x0E...0x1F).contains(value)
            || (0x7F...0x9F).contains(value) || (0xFDD0...0xFDEF).contains(value)
            || (value & 0xFFFE) == 0xFFFE
    }

    private static func isNameTerminator(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar {
        case "\t", "\n", "\u{0C}", " ", "<", "&", "#", ";": return true
        default: return false
        }
    }

    private static func isASCIIAlphanumeric(_ scalar: Unicode.Scalar) -> Bool {
        scalar.isASCII && (scalar.properties.isASCIIHexDigit || ("g"..."z").contains(scalar)
            || ("G"..."Z").contains(scalar) || ("0"..."9").contains(scalar))
    }

    private static func digitValue(_ scalar: Unicode.Scalar, radix: UInt32) -> UInt32? {
        guard scalar.isASCII, let digit = Character(scalar).hexDigitValue, UInt32(digit) < radix else { return nil }
        return UInt32(digit)
    }
}
