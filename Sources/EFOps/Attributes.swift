// Node parameters: a small typed dictionary that reads and writes as plain JSON.

import EFCore

/// One parameter value. JSON has no int/float distinction, so an integral number read back
/// from JSON becomes `.int`; the accessors and `==` treat `.int(n)` and `.float(n)` alike.
public enum AttributeValue: Codable, Equatable, Sendable, CustomStringConvertible {
    case int(Int)
    case ints([Int])
    case float(Float)
    case floats([Float])
    case string(String)
    case strings([String])

    public init(from decoder: Decoder) throws {
        let container = try decoder.singleValueContainer()
        if let value = try? container.decode(Int.self) { self = .int(value); return }
        if let value = try? container.decode(Float.self) { self = .float(value); return }
        if let value = try? container.decode(String.self) { self = .string(value); return }
        if let value = try? container.decode([Int].self) { self = .ints(value); return }
        if let value = try? container.decode([Float].self) { self = .floats(value); return }
        if let value = try? container.decode([String].self) { self = .strings(value); return }
        throw DecodingError.dataCorruptedError(in: container, debugDescription: "unsupported attribute value")
    }

    public func encode(to encoder: Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .int(let v): try container.encode(v)
        case .ints(let v): try container.encode(v)
        case .float(let v): try container.encode(v)
        case .floats(let v): try container.encode(v)
        case .string(let v): try container.encode(v)
        case .strings(let v): try container.encode(v)
        }
    }

    /// The value as floats, if it is numeric.
    var floatList: [Float]? {
        switch self {
        case .int(let v): return [Float(v)]
        case .ints(let v): return v.map(Float.init)
        case .float(let v): return [v]
        case .floats(let v): return v
        default: return nil
        }
    }

    public static func == (lhs: AttributeValue, rhs: AttributeValue) -> Bool {
        switch (lhs, rhs) {
        case (.string(let a), .string(let b)): return a == b
        case (.strings(let a), .strings(let b)): return a == b
        case (.strings(let a), .ints(let b)), (.ints(let b), .strings(let a)): return a.isEmpty && b.isEmpty
        case (.strings(let a), .floats(let b)), (.floats(let b), .strings(let a)): return a.isEmpty && b.isEmpty
        case (.string, _), (_, .string), (.strings, _), (_, .strings): return false
        default:
            let scalarL: Bool = { if case .int = lhs { return true }; if case .float = lhs { return true }; return false }()
            let scalarR: Bool = { if case .int = rhs { return true }; if case .float = rhs { return true }; return false }()
            return scalarL == scalarR && lhs.floatList == rhs.floatList
        }
    }

    public var description: String {
        switch self {
        case .int(let v): return String(v)
        case .ints(let v): return "[" + v.map(String.init).joined(separator: ",") + "]"
        case .float(let v): return String(v)
        case .floats(let v): return "[" + v.map { String($0) }.joined(separator: ",") + "]"
        case .string(let v): return "\"\(v)\""
        case .strings(let v): return "[" + v.map { "\"\($0)\"" }.joined(separator: ",") + "]"
        }
    }
}

/// The parameters of a node, keyed by name. Keys are camelCase and documented per `OpType`.
public struct Attributes: Codable, Equatable, Sendable, ExpressibleByDictionaryLiteral {
    public var values: [String: AttributeValue]

    public init(_ values: [String: AttributeValue] = [:]) { self.values = values }
    public init(dictionaryLiteral elements: (String, AttributeValue)...) {
        values = Dictionary(elements, uniquingKeysWith: { _, last in last })
    }

    public init(from decoder: Decoder) throws {
        values = try decoder.singleValueContainer().decode([String: AttributeValue].self)
    }
    public func encode(to encoder: Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(values)
    }

    public subscript(key: String) -> AttributeValue? {
        get { values[key] }
        set { values[key] = newValue }
    }

    public func int(_ key: String) -> Int? {
        switch values[key] {
        case .int(let v): return v
        case .float(let v): return Int(exactly: v)  // nil (never a trap) for fractions, ±inf, NaN, huge
        default: return nil
        }
    }
    public func int(_ key: String, default value: Int) -> Int { int(key) ?? value }

    public func ints(_ key: String) -> [Int]? {
        switch values[key] {
        case .ints(let v): return v
        case .int(let v): return [v]
        case .floats(let v):
            let converted = v.compactMap { Int(exactly: $0) }
            return converted.count == v.count ? converted : nil
        case .strings(let v) where v.isEmpty: return []
        default: return nil
        }
    }

    public func float(_ key: String) -> Float? {
        switch values[key] {
        case .float(let v): return v
        case .int(let v): return Float(v)
        default: return nil
        }
    }
    public func float(_ key: String, default value: Float) -> Float { float(key) ?? value }

    public func floats(_ key: String) -> [Float]? {
        guard let list = values[key]?.floatList else {
            if case .strings(let v)? = values[key], v.isEmpty { return [] }
            return nil
        }
        return list
    }

    public func string(_ key: String) -> String? {
        if case .string(let v)? = values[key] { return v }
        return nil
    }
    public func string(_ key: String, default value: String) -> String { string(key) ?? value }

    public func strings(_ key: String) -> [String]? {
        if case .strings(let v)? = values[key] { return v }
        return nil
    }

    /// A dtype stored as its raw name.
    public func dtype(_ key: String) -> DType? { string(key).flatMap(DType.init(rawValue:)) }

    /// Required accessors: throw `EdgeflowError.invalidModel` naming the missing key.
    public func requiredInt(_ key: String) throws -> Int {
        guard let v = int(key) else { throw missing(key) }
        return v
    }
    public func requiredInts(_ key: String) throws -> [Int] {
        guard let v = ints(key) else { throw missing(key) }
        return v
    }
    public func requiredFloat(_ key: String) throws -> Float {
        guard let v = float(key) else { throw missing(key) }
        return v
    }
    public func requiredString(_ key: String) throws -> String {
        guard let v = string(key) else { throw missing(key) }
        return v
    }
    public func requiredDType(_ key: String) throws -> DType {
        guard let v = dtype(key) else { throw missing(key) }
        return v
    }

    private func missing(_ key: String) -> EdgeflowError {
        EdgeflowError(.invalidModel, "missing or malformed parameter '\(key)'")
    }
}
