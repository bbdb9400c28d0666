// The header of a numpy `.npy` file: magic, version, header length and the Python dict literal
// giving descr, fortran_order and shape. Parsed without trusting any number in it: the
// header length is bounded by `NPY.maxHeaderBytes` and by the bytes present, every dimension
// must be a non-negative integer that fits in Int, and the shape and byte count are checked
// with `CheckedSize`, so a header never makes a reader trap or allocate what the file lacks.

import Foundation

extension NPY {
    /// The header of an `.npy` file: what numpy says the array is, before reading its data.
    public struct Header: Equatable, Sendable {
        /// The numpy descr as written, e.g. `<f8`.
        public var descr: String
        /// The Edgeflow dtype, nil when Edgeflow has none (e.g. complex, strings, big-endian).
        public var dtype: DType? { DType(numpyDescr: descr) }
        /// The declared shape; passes `CheckedSize.shape` (at most 64 dims, none negative,
        /// element count and strides fit in Int).
        public var shape: [Int]
        public var fortranOrder: Bool
        /// Offset of the first data byte.
        public var dataOffset: Int
        /// Bytes of data the header declares (elements × dtype size), nil when `dtype` is nil.
        /// Always fits in Int: a header whose byte count overflows is refused.
        public var dataByteCount: Int?
    }

    /// The longest header Edgeflow reads (numpy writes under 1 KiB for any array it can hold;
    /// version 1.0 headers cannot exceed 64 KiB).
    public static let maxHeaderBytes = 1 << 20

    /// Where the header text starts and how long it is, from the first 10 or 12 bytes.
    /// - Throws: `EdgeflowError.invalidInput` for a missing magic, an unknown version or a
    ///   header length over `maxHeaderBytes`.
    static func preamble(_ bytes: [UInt8]) throws -> (start: Int, length: Int, major: UInt8) {
        guard bytes.count >= 10, Array(bytes[0..<6]) == magic else {
            throw EdgeflowError(.invalidInput, "not a numpy .npy file (missing \\x93NUMPY magic)")
        }
        let major = bytes[6]
        let length: Int
        let start: Int
        switch major {
        case 1:
            length = Int(bytes[8]) | Int(bytes[9]) << 8
            start = 10
        case 2, 3:
            guard bytes.count >= 12 else {
                throw EdgeflowError(.invalidInput,
                                    "truncated .npy header: \(bytes.count) bytes, too short for version \(major)")
            }
            length = Int(bytes[8]) | Int(bytes[9]) << 8 | Int(bytes[10]) << 16 | Int(bytes[11]) << 24
            start = 12
        default:
            throw EdgeflowError(.invalidInput, "unsupported .npy format version \(major)")
        }
        guard length <= maxHeaderBytes else {
            throw EdgeflowError(.invalidInput,
                "the .npy header length field declares \(length) bytes, over the \(maxHeaderBytes)-byte limit")
        }
        return (start, length, major)
    }

    /// Parses the header of an `.npy` file held in `data` (the data section may be absent).
    /// - Throws: `EdgeflowError.invalidInput` when the bytes are not a valid `.npy` header,
    ///   naming the offending field: a header length beyond the bytes given, a dimension that
    ///   is not a non-negative integer fitting in Int, a shape whose element or byte count
    ///   overflows, or more than `CheckedSize.maxRank` dimensions.
    public static func readHeader(_ data: Data) throws -> Header {
        let (start, length, major) = try preamble([UInt8](data.prefix(12)))
        guard data.count - start >= length else {
            throw EdgeflowError(.invalidInput,
                "truncated .npy header: its length field declares \(length) bytes "
                    + "but only \(max(0, data.count - start)) follow")
        }
        let headerBytes = data.subdata(in: data.startIndex + start ..< data.startIndex + start + length)
        guard let text = String(data: headerBytes, encoding: major == 3 ? .utf8 : .isoLatin1) else {
            throw EdgeflowError(.invalidInput, "unreadable .npy header (not UTF-8)")
        }
        let summary = text.trimmingCharacters(in: .whitespacesAndNewlines).prefix(200)
        guard let descr = stringValue(for: "descr", in: text) else {
            throw EdgeflowError(.invalidInput, "malformed .npy header (no 'descr'): \(summary)")
        }
        let shape = try shapeValue(in: text, summary: String(summary))
        try CheckedSize.shape(shape, ".npy shape")
        var byteCount: Int?
        if let dtype = DType(numpyDescr: descr) {
            byteCount = try CheckedSize.byteCount(shape, dtype, ".npy shape")
        }
        return Header(descr: descr, shape: shape, fortranOrder: text.contains("'fortran_order': True"),
                      dataOffset: start + length, dataByteCount: byteCount)
    }

    private static func stringValue(for key: String, in text: String) -> String? {
        guard let keyRange = text.range(of: "'\(key)'") else { return nil }
        let rest = text[keyRange.upperBound...]
        guard let open = rest.firstIndex(where: { $0 == "'" || $0 == "\"" }) else { return nil }
        let quote = rest[open]
        let afterOpen = rest.index(after: open)
        guard let close = rest[afterOpen...].firstIndex(of: quote) else { return nil }
        return String(rest[afterOpen..<close])
    }

    /// The dimensions of the `'shape': (...)` tuple, each a non-negative Int.
    private static func shapeValue(in text: String, summary: String) throws -> [Int] {
        guard let keyRange = text.range(of: "'shape'"),
              let open = text[keyRange.upperBound...].firstIndex(of: "("),
              let close = text[open...].firstIndex(of: ")") else {
            throw EdgeflowError(.invalidInput, "malformed .npy header (no 'shape' tuple): \(summary)")
        }
        var shape: [Int] = []
        for part in text[text.index(after: open)..<close].split(separator: ",") {
            var item = part.trimmingCharacters(in: .whitespaces)
            if item.hasSuffix("L") { item.removeLast() }  // Python 2 longs
            if item.isEmpty { continue }
            let shown = item.count > 40 ? "\(item.prefix(40))… (\(item.count) characters)" : item
            guard item.allSatisfy({ $0.isASCII && ($0.isNumber || $0 == "-" || $0 == "+") }),
                  item.dropFirst().allSatisfy({ $0.isNumber }), item.contains(where: \.isNumber) else {
                throw EdgeflowError(.invalidInput, ".npy shape: dimension '\(shown)' is not an integer")
            }
            guard let value = Int(item) else {
                throw EdgeflowError(.invalidInput, ".npy shape: dimension \(shown) does not fit in a 64-bit integer")
            }
            guard value >= 0 else {
                throw EdgeflowError(.invalidInput, ".npy shape: negative dimension \(value)")
            }
            shape.append(value)
            guard shape.count <= CheckedSize.maxRank else {
                throw EdgeflowError(.invalidInput,
                                    ".npy shape: more than the \(CheckedSize.maxRank) dimensions Edgeflow reads")
            }
        }
        return shape
    }
}
