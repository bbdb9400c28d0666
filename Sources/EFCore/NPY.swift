// Reading and writing numpy `.npy` files (format versions 1.0–3.0, C order, little-endian).

import Foundation

/// The `.npy` file format.
public enum NPY {
    private static let magic: [UInt8] = [0x93, 0x4E, 0x55, 0x4D, 0x50, 0x59]  // "\x93NUMPY"

    /// The header of an `.npy` file: what numpy says the array is, before reading its data.
    public struct Header: Equatable, Sendable {
        /// The numpy descr as written, e.g. `<f8`.
        public var descr: String
        /// The Edgeflow dtype, nil when Edgeflow has none (e.g. complex or strings).
        public var dtype: DType? { DType(numpyDescr: descr) }
        public var shape: [Int]
        public var fortranOrder: Bool
        /// Offset of the first data byte.
        public var dataOffset: Int
    }

    /// Serializes a tensor as a version 1.0 `.npy` file.
    public static func encode(_ tensor: Tensor) -> Data {
        let shapeText: String
        switch tensor.shape.count {
        case 0: shapeText = "()"
        case 1: shapeText = "(\(tensor.shape[0]),)"
        default: shapeText = "(" + tensor.shape.map(String.init).joined(separator: ", ") + ")"
        }
        var header = "{'descr': '\(tensor.dtype.numpyDescr)', 'fortran_order': False, 'shape': \(shapeText), }"
        // Pad so that magic(6) + version(2) + length(2) + header + "\n" is a multiple of 64.
        let unpadded = 10 + header.utf8.count + 1
        header += String(repeating: " ", count: (64 - unpadded % 64) % 64) + "\n"
        var data = Data(magic)
        data.append(contentsOf: [1, 0])
        let length = UInt16(header.utf8.count)
        data.append(contentsOf: [UInt8(length & 0xFF), UInt8(length >> 8)])
        data.append(contentsOf: Array(header.utf8))
        tensor.withUnsafeBytes { data.append(contentsOf: $0) }
        return data
    }

    /// Parses the header of an `.npy` file.
    /// - Throws: `EdgeflowError.invalidInput` when the bytes are not a valid `.npy` header.
    public static func readHeader(_ data: Data) throws -> Header {
        let bytes = [UInt8](data.prefix(12))
        guard bytes.count >= 10, Array(bytes[0..<6]) == magic else {
            throw EdgeflowError(.invalidInput, "not a numpy .npy file (missing \\x93NUMPY magic)")
        }
        let major = bytes[6]
        let headerLength: Int
        let headerStart: Int
        switch major {
        case 1:
            headerLength = Int(bytes[8]) | Int(bytes[9]) << 8
            headerStart = 10
        case 2, 3:
            guard bytes.count >= 12 else { throw EdgeflowError(.invalidInput, "truncated .npy header") }
            headerLength = Int(bytes[8]) | Int(bytes[9]) << 8 | Int(bytes[10]) << 16 | Int(bytes[11]) << 24
            headerStart = 12
        default:
            throw EdgeflowError(.invalidInput, "unsupported .npy format version \(major)")
        }
        guard data.count >= headerStart + headerLength else {
            throw EdgeflowError(.invalidInput, "truncated .npy header: file has \(data.count) bytes")
        }
        let headerBytes = data.subdata(in: data.startIndex + headerStart ..< data.startIndex + headerStart + headerLength)
        guard let text = String(data: headerBytes, encoding: major == 3 ? .utf8 : .isoLatin1) else {
            throw EdgeflowError(.invalidInput, "unreadable .npy header")
        }
        guard let descr = stringValue(for: "descr", in: text),
              let shape = shapeValue(in: text) else {
            throw EdgeflowError(.invalidInput, "malformed .npy header: \(text.trimmingCharacters(in: .whitespacesAndNewlines))")
        }
        let fortran = text.contains("'fortran_order': True")
        return Header(descr: descr, shape: shape, fortranOrder: fortran, dataOffset: headerStart + headerLength)
    }

    /// Decodes a whole `.npy` file.
    /// - Throws: `EdgeflowError.invalidInput` for malformed files, unsupported dtypes, Fortran
    ///   order, or a data section whose size does not match the header.
    public static func decode(_ data: Data) throws -> Tensor {
        let header = try readHeader(data)
        guard let dtype = header.dtype else {
            throw EdgeflowError(.invalidInput, "unsupported numpy dtype '\(header.descr)'")
        }
        guard !header.fortranOrder || header.shape.count <= 1 else {
            throw EdgeflowError(.invalidInput, "Fortran-ordered arrays are not supported",
                                hint: "save with numpy.ascontiguousarray(a)")
        }
        guard let count = header.shape.checkedElementCount,
              case let (bytes, overflow) = count.multipliedReportingOverflow(by: dtype.byteSize), !overflow else {
            throw EdgeflowError(.invalidInput, "absurd .npy shape \(header.shape.shapeDescription)")
        }
        let available = data.count - header.dataOffset
        guard available == bytes else {
            throw EdgeflowError(.invalidInput,
                "the .npy data holds \(available) bytes but its header declares \(header.shape.shapeDescription) \(dtype.rawValue) = \(bytes) bytes")
        }
        return data.withUnsafeBytes { raw in
            Tensor(dtype: dtype, shape: header.shape,
                   bytes: UnsafeRawBufferPointer(rebasing: raw[header.dataOffset...]))
        }
    }

    /// Reads a `.npy` file from disk.
    /// - Throws: `EdgeflowError.io` when the file cannot be read, else as `decode`.
    public static func read(contentsOf url: URL) throws -> Tensor {
        let data: Data
        do { data = try Data(contentsOf: url) } catch {
            throw EdgeflowError(.io, "cannot read \(url.path): \(error.localizedDescription)")
        }
        do { return try decode(data) } catch let error as EdgeflowError { throw error.prefixed(url.path) }
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

    private static func shapeValue(in text: String) -> [Int]? {
        guard let keyRange = text.range(of: "'shape'"),
              let open = text[keyRange.upperBound...].firstIndex(of: "("),
              let close = text[open...].firstIndex(of: ")") else { return nil }
        let inner = text[text.index(after: open)..<close]
        var shape: [Int] = []
        for part in inner.split(separator: ",") {
            let trimmed = part.trimmingCharacters(in: .whitespaces).replacingOccurrences(of: "L", with: "")
            if trimmed.isEmpty { continue }
            guard let value = Int(trimmed), value >= 0 else { return nil }
            shape.append(value)
        }
        return shape
    }
}
