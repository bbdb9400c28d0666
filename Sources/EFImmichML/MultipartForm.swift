// A bounded reader of `multipart/form-data` bodies (RFC 7578) as Immich's server sends them to
// its machine-learning service (Node's FormData: `entries`, then `image` or `text`). The body is
// untrusted: the boundary is checked, the number of parts and the size of each header block are
// capped, and every malformed layout is an error rather than a guess.

import EFCore
import Foundation

/// One part of a form.
public struct FormPart: Sendable, Equatable {
    /// The `name` of its Content-Disposition.
    public var name: String
    /// The `filename` of its Content-Disposition, when it has one.
    public var filename: String?
    public var contentType: String?
    public var body: Data
}

public enum MultipartForm {
    /// Most parts a form may have.
    public static let maxParts = 16
    /// Longest header block of one part, in bytes.
    public static let maxHeaderBytes = 8192

    /// The boundary named by a `Content-Type: multipart/form-data; boundary=…` header.
    /// - Throws: `EdgeflowError.invalidInput` for another media type or a missing or invalid boundary
    ///   (RFC 2046: 1–70 characters, no trailing space).
    public static func boundary(contentType: String) throws -> String {
        let fields = contentType.split(separator: ";").map { $0.trimmingCharacters(in: .whitespaces) }
        guard fields.first?.lowercased() == "multipart/form-data" else {
            throw EdgeflowError(.invalidInput, "the body is \(fields.first ?? "untyped"), not multipart/form-data")
        }
        for field in fields.dropFirst() {
            let pair = field.split(separator: "=", maxSplits: 1).map(String.init)
            guard pair.count == 2, pair[0].lowercased() == "boundary" else { continue }
            let value = unquoted(pair[1])
            let allowed = CharacterSet(charactersIn: "'()+_,-./:=? ").union(.alphanumerics)
            guard (1...70).contains(value.utf8.count), value.unicodeScalars.allSatisfy(allowed.contains),
                  value.last != " ", value.allSatisfy(\.isASCII) else {
                throw EdgeflowError(.invalidInput, "the multipart boundary is not valid (1–70 ASCII characters)")
            }
            return value
        }
        throw EdgeflowError(.invalidInput, "the multipart/form-data Content-Type names no boundary")
    }

    /// The parts of `body`, in order.
    /// - Throws: `EdgeflowError.invalidInput` naming what is wrong: no opening boundary, a part
    ///   without its closing boundary, a header block over 8 KiB or without a form-data name,
    ///   more than 16 parts.
    public static func parts(of body: Data, boundary: String) throws -> [FormPart] {
        let bytes = [UInt8](body)
        let dash = Array("--\(boundary)".utf8), delimiter = Array("\r\n--\(boundary)".utf8)
        guard var cursor = find(dash, in: bytes, from: 0) else {
            throw EdgeflowError(.invalidInput, "the form has no opening boundary")
        }
        cursor += dash.count
        var parts: [FormPart] = []
        while true {
            if bytes.count >= cursor + 2, bytes[cursor] == 0x2D, bytes[cursor + 1] == 0x2D { return parts }  // "--"
            cursor = skipTransportPadding(bytes, cursor)
            guard bytes.count >= cursor + 2, bytes[cursor] == 0x0D, bytes[cursor + 1] == 0x0A else {
                throw EdgeflowError(.invalidInput, "a form boundary is not followed by a line break")
            }
            cursor += 2
            guard parts.count < maxParts else {
                throw EdgeflowError(.invalidInput, "the form has more than \(maxParts) parts")
            }
            let blankLine = Array("\r\n\r\n".utf8)
            guard let headerEnd = find(blankLine, in: bytes, from: cursor, limit: maxHeaderBytes + 4) else {
                throw EdgeflowError(.invalidInput,
                                    "a form part's headers are not closed within \(maxHeaderBytes) bytes")
            }
            var part = try headers(bytes[cursor..<headerEnd])
            let start = headerEnd + 4
            guard let end = find(delimiter, in: bytes, from: start) else {
                throw EdgeflowError(.invalidInput, "the form part \"\(part.name)\" has no closing boundary")
            }
            part.body = Data(bytes[start..<end])
            parts.append(part)
            cursor = end + delimiter.count
        }
    }

    /// A part's headers: Content-Disposition (form-data, name, filename) and Content-Type.
    private static func headers(_ block: ArraySlice<UInt8>) throws -> FormPart {
        guard let text = String(bytes: block, encoding: .utf8) else {
            throw EdgeflowError(.invalidInput, "a form part's headers are not UTF-8")
        }
        var part = FormPart(name: "", filename: nil, contentType: nil, body: Data())
        var named = false
        for line in text.components(separatedBy: "\r\n") where !line.isEmpty {
            guard let colon = line.firstIndex(of: ":") else {
                throw EdgeflowError(.invalidInput, "a form part has a header line without ':'")
            }
            let field = line[..<colon].trimmingCharacters(in: .whitespaces).lowercased()
            let value = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
            if field == "content-type" { part.contentType = value }
            guard field == "content-disposition" else { continue }
            let parameters = DispositionParameters(value)
            guard parameters.kind == "form-data", let name = parameters.values["name"] else {
                throw EdgeflowError(.invalidInput, "a form part's Content-Disposition is not form-data with a name")
            }
            part.name = name
            part.filename = parameters.values["filename"]
            named = true
        }
        guard named else { throw EdgeflowError(.invalidInput, "a form part has no Content-Disposition") }
        return part
    }

    /// Past spaces and tabs after a boundary (RFC 2046 allows them before the line break).
    private static func skipTransportPadding(_ bytes: [UInt8], _ start: Int) -> Int {
        var index = start
        while index < bytes.count, bytes[index] == 0x20 || bytes[index] == 0x09 { index += 1 }
        return index
    }

    /// The first index ≥ `from` (and, with `limit`, < `from + limit`) where `needle` starts.
    static func find(_ needle: [UInt8], in haystack: [UInt8], from: Int, limit: Int = .max) -> Int? {
        guard !needle.isEmpty else { return from }
        let last = min(haystack.count - needle.count, limit == .max ? .max : from + limit - needle.count)
        guard from <= last else { return nil }
        let first = needle[0]
        var index = from
        while index <= last {
            if haystack[index] == first, haystack[index..<(index + needle.count)].elementsEqual(needle) { return index }
            index += 1
        }
        return nil
    }
}

/// `value` without its surrounding double quotes, when it has them.
private func unquoted(_ value: String) -> String {
    value.count >= 2 && value.hasPrefix("\"") && value.hasSuffix("\"") ? String(value.dropFirst().dropLast()) : value
}

/// `form-data; name="entries"; filename="blob"` split into its kind and parameters (quoted values
/// may hold `;`; FormData writes `"` and line breaks inside them percent-encoded).
private struct DispositionParameters {
    var kind = ""
    var values: [String: String] = [:]

    init(_ header: String) {
        var fields: [String] = [], current = "", quoted = false
        for character in header {
            if character == "\"" { quoted.toggle() }
            if character == ";" && !quoted {
                fields.append(current)
                current = ""
            } else {
                current.append(character)
            }
        }
        fields.append(current)
        kind = fields[0].trimmingCharacters(in: .whitespaces).lowercased()
        for field in fields.dropFirst() {
            let pair = field.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            guard pair.count == 2 else { continue }
            values[pair[0].lowercased()] = unquoted(pair[1])
        }
    }
}
