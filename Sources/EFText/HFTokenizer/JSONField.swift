// Typed access to a parsed JSON value that remembers where it is: every accessor checks the
// value's type and range and throws an error naming the file and the JSON path of the field
// ("model.vocab[12]", "normalizer.normalizers[1].pattern"), so a bad tokenizer.json says what is
// wrong and where.

import EFCore

/// A JSON value with its file and path, read through type-checking accessors.
struct JSONField {
    let value: JSONValue
    /// Where the value is, e.g. "model.merges[3]" ("" for the document itself).
    let path: String
    /// The file, for error messages.
    let source: String

    /// The error for this field: "<source>: <path> <problem>".
    func error(_ problem: String) -> EdgeflowError {
        EdgeflowError(.invalidModel, "\(source): \(path.isEmpty ? "the document" : path) \(problem)",
                      hint: "the tokenizer file is not one Edgeflow can read; check it against the "
                          + "Hugging Face tokenizers format")
    }

    private func child(_ value: JSONValue, _ suffix: String) -> JSONField {
        JSONField(value: value, path: path.isEmpty ? suffix : path + suffix, source: source)
    }

    /// The members of an object. Throws when the value is not an object.
    func members() throws -> [(key: String, value: JSONField)] {
        guard case .object(let members) = value else { throw error("is \(value.kind), not an object") }
        return members.map { ($0.key, child($0.value, (path.isEmpty ? "" : ".") + $0.key)) }
    }

    /// The elements of an array, at most `limit` of them. Throws for another type or a longer array.
    func elements(limit: Int) throws -> [JSONField] {
        guard case .array(let elements) = value else { throw error("is \(value.kind), not an array") }
        guard elements.count <= limit else { throw error("has \(elements.count) elements, more than \(limit)") }
        return elements.enumerated().map { child($0.element, "[\($0.offset)]") }
    }

    /// The member `key` of this object, nil when absent or null. Throws when this is not an object.
    func optional(_ key: String) throws -> JSONField? {
        guard case .object(let members) = value else { throw error("is \(value.kind), not an object") }
        guard let member = members.first(where: { $0.key == key }) else { return nil }
        if case .null = member.value { return nil }
        return child(member.value, (path.isEmpty ? "" : ".") + key)
    }

    /// The member `key` of this object. Throws when absent or null.
    func required(_ key: String) throws -> JSONField {
        guard let field = try optional(key) else {
            throw JSONField(value: .null, path: (path.isEmpty ? "" : path + ".") + key, source: source)
                .error("is missing")
        }
        return field
    }

    /// The value as a string of at most `maxBytes` UTF-8 bytes.
    func string(maxBytes: Int = 4096) throws -> String {
        guard case .string(let text) = value else { throw error("is \(value.kind), not a string") }
        guard text.utf8.count <= maxBytes else { throw error("is longer than \(maxBytes) bytes") }
        return text
    }

    /// The value as a boolean.
    func bool() throws -> Bool {
        guard case .bool(let flag) = value else { throw error("is \(value.kind), not a boolean") }
        return flag
    }

    /// The value as an integer in `range`.
    func int(in range: ClosedRange<Int>) throws -> Int {
        guard case .number(let number, let isInteger) = value, isInteger, number.magnitude < 1e15 else {
            throw error("is \(value.kind == "a number" ? "not an integer" : value.kind), not an integer")
        }
        guard range.contains(Int(number)) else { throw error("is \(Int(number)), outside \(range)") }
        return Int(number)
    }

    /// The value as a finite number.
    func double() throws -> Double {
        guard case .number(let number, _) = value, number.isFinite else {
            throw error("is \(value.kind), not a finite number")
        }
        return number
    }

    /// The `type` member of a component object (e.g. "BPE", "Sequence").
    func typeName() throws -> String {
        try required("type").string(maxBytes: 64)
    }

    // Optional-member conveniences, with a default for an absent or null member.
    func string(_ key: String, default fallback: String) throws -> String {
        try optional(key)?.string() ?? fallback
    }

    func bool(_ key: String, default fallback: Bool) throws -> Bool {
        try optional(key)?.bool() ?? fallback
    }
}
