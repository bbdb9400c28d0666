// Text for the HTML report: escaping of untrusted strings for element content and attribute
// values, and the short human formats of times, counts, bytes and rates.

import Foundation

/// Escaping and number formatting for `ProfileHTML`.
public enum HTMLText {
    /// `text` safe inside element content and inside single- or double-quoted attribute values:
    /// `& < > " '` become character references, and control characters other than tab and
    /// newline become U+FFFD.
    public static func escape(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.utf8.count)
        for scalar in text.unicodeScalars {
            switch scalar {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            case "\t", "\n": out.unicodeScalars.append(scalar)
            default:
                let v = scalar.value
                let control = v < 0x20 || (0x7F...0x9F).contains(v) || v == 0x2028 || v == 0x2029
                out.unicodeScalars.append(control ? "\u{FFFD}" : scalar)
            }
        }
        return out
    }

    /// `text` cut to `limit` characters with an ellipsis (before escaping).
    static func truncated(_ text: String, to limit: Int) -> String {
        text.count <= limit ? text : String(text.prefix(max(1, limit - 1))) + "…"
    }

    /// A duration: "850 ns", "12.3 µs", "4.56 ms", "1.23 s".
    public static func duration(_ nanoseconds: UInt64) -> String {
        let ns = Double(nanoseconds)
        if ns < 1_000 { return "\(nanoseconds) ns" }
        if ns < 1_000_000 { return significant(ns / 1_000) + " µs" }
        if ns < 1_000_000_000 { return significant(ns / 1_000_000) + " ms" }
        return significant(ns / 1_000_000_000) + " s"
    }

    /// A count with an SI prefix: "950", "7.80 k", "45.6 M", "1.23 G".
    public static func count(_ value: UInt64) -> String {
        let v = Double(value)
        if v < 1_000 { return "\(value)" }
        if v < 1e6 { return significant(v / 1e3) + " k" }
        if v < 1e9 { return significant(v / 1e6) + " M" }
        if v < 1e12 { return significant(v / 1e9) + " G" }
        return significant(v / 1e12) + " T"
    }

    /// A byte count with a binary prefix: "512 B", "1.50 KiB", "3.20 MiB", "1.10 GiB".
    public static func bytes(_ value: UInt64) -> String {
        let v = Double(value)
        if v < 1024 { return "\(value) B" }
        if v < 1_048_576 { return significant(v / 1024) + " KiB" }
        if v < 1_073_741_824 { return significant(v / 1_048_576) + " MiB" }
        return significant(v / 1_073_741_824) + " GiB"
    }

    /// A number with three significant digits (at least the integer part): 1.23, 12.3, 123, 1234.
    public static func significant(_ value: Double) -> String {
        guard value.isFinite else { return "-" }
        let magnitude = abs(value)
        let decimals = magnitude >= 100 ? 0 : magnitude >= 10 ? 1 : 2
        return String(format: "%.\(decimals)f", value)
    }

    /// A percentage with one decimal, "-" for nil.
    public static func percent(_ value: Double?) -> String {
        guard let value, value.isFinite else { return "-" }
        return String(format: "%.1f%%", value)
    }

    /// A number for a `data-v` sort key: plain decimal, never exponent notation, "-1" for nil.
    static func sortKey(_ value: Double?) -> String {
        guard let value, value.isFinite else { return "-1" }
        return String(format: "%.6f", value)
    }
}
