// JSON for people: JSONEncoder's pretty printing with sorted keys, except that arrays holding
// only numbers, strings, booleans or nulls stay on one line (`"shape" : [1, 3, 224, 224]`),
// which keeps graph.json short enough to read.

import Foundation

/// JSON formatting shared by the archive and the command line.
public enum ReadableJSON {
    /// Pretty, key-sorted JSON with scalar arrays on one line. Non-finite floats become the
    /// strings "Infinity", "-Infinity" and "NaN".
    public static func encode<T: Encodable>(_ value: T) throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        let markers = GraphDocument.nonFiniteMarkers
        encoder.nonConformingFloatEncodingStrategy = .convertToString(
            positiveInfinity: markers.positiveInfinity, negativeInfinity: markers.negativeInfinity, nan: markers.nan)
        return collapsingScalarArrays(try encoder.encode(value))
    }

    /// Rewrites every multi-line array of scalars as `[a, b, c]`. Relies on the pretty
    /// printer's layout: an array opens with `[` and a newline, which never occurs inside a
    /// JSON string (newlines there are escaped).
    static func collapsingScalarArrays(_ json: Data) -> Data {
        let bytes = [UInt8](json)
        var output: [UInt8] = []
        output.reserveCapacity(bytes.count)
        var index = 0
        while index < bytes.count {
            if bytes[index] == UInt8(ascii: "["), index + 1 < bytes.count, bytes[index + 1] == UInt8(ascii: "\n"),
               let (items, end) = scalarItems(bytes, from: index + 1) {
                output.append(UInt8(ascii: "["))
                for (number, item) in items.enumerated() {
                    if number > 0 { output.append(contentsOf: Array(", ".utf8)) }
                    output.append(contentsOf: bytes[item])
                }
                output.append(UInt8(ascii: "]"))
                index = end
            } else {
                output.append(bytes[index])
                index += 1
            }
        }
        return Data(output)
    }

    /// The item ranges of a pretty-printed array whose items are all scalars, and the index
    /// just past its `]`; nil when an item is an object or array.
    private static func scalarItems(_ bytes: [UInt8], from start: Int) -> ([Range<Int>], Int)? {
        var items: [Range<Int>] = []
        var index = start
        while true {
            while index < bytes.count, bytes[index] == UInt8(ascii: "\n") || bytes[index] == UInt8(ascii: " ") { index += 1 }
            guard index < bytes.count else { return nil }
            if bytes[index] == UInt8(ascii: "]") { return items.isEmpty ? nil : (items, index + 1) }
            let itemStart = index
            if bytes[index] == UInt8(ascii: "\"") {
                index += 1
                while index < bytes.count, bytes[index] != UInt8(ascii: "\"") {
                    index += bytes[index] == UInt8(ascii: "\\") ? 2 : 1
                }
                index += 1
            } else {
                while index < bytes.count, !",\n ]".utf8.contains(bytes[index]) {
                    guard bytes[index] != UInt8(ascii: "{"), bytes[index] != UInt8(ascii: "[") else { return nil }
                    index += 1
                }
            }
            guard index <= bytes.count, index > itemStart else { return nil }
            items.append(itemStart..<index)
            if index < bytes.count, bytes[index] == UInt8(ascii: ",") { index += 1 }
        }
    }
}
