// Typed access to a node's ONNX attributes, with errors naming the node and attribute.

import EFCore
import Foundation

extension OnnxNode {
    /// An int attribute, nil when absent.
    /// - Throws: `EdgeflowError.invalidModel` when present with another type.
    public func attributeInt(_ key: String) throws -> Int? {
        switch attributes[key] {
        case nil: return nil
        case .int(let value)?: return value
        default: throw wrongAttribute(key, expected: "an int")
        }
    }

    /// An ints attribute, nil when absent.
    public func attributeInts(_ key: String) throws -> [Int]? {
        switch attributes[key] {
        case nil: return nil
        case .ints(let value)?: return value
        default: throw wrongAttribute(key, expected: "a list of ints")
        }
    }

    /// A float attribute (an int attribute is accepted and converted), nil when absent.
    public func attributeFloat(_ key: String) throws -> Float? {
        switch attributes[key] {
        case nil: return nil
        case .float(let value)?: return value
        case .int(let value)?: return Float(value)
        default: throw wrongAttribute(key, expected: "a float")
        }
    }

    /// A floats attribute, nil when absent.
    public func attributeFloats(_ key: String) throws -> [Float]? {
        switch attributes[key] {
        case nil: return nil
        case .floats(let value)?: return value
        default: throw wrongAttribute(key, expected: "a list of floats")
        }
    }

    /// A string attribute decoded as UTF-8, nil when absent.
    public func attributeString(_ key: String) throws -> String? {
        switch attributes[key] {
        case nil: return nil
        case .string(let value)?: return String(decoding: value, as: UTF8.self)
        default: throw wrongAttribute(key, expected: "a string")
        }
    }

    /// A list-of-strings attribute decoded as UTF-8, nil when absent.
    public func attributeStrings(_ key: String) throws -> [String]? {
        switch attributes[key] {
        case nil: return nil
        case .strings(let values)?: return values.map { String(decoding: $0, as: UTF8.self) }
        default: throw wrongAttribute(key, expected: "a list of strings")
        }
    }

    /// A tensor attribute, nil when absent.
    public func attributeTensor(_ key: String) throws -> OnnxTensor? {
        switch attributes[key] {
        case nil: return nil
        case .tensor(let value)?: return value
        default: throw wrongAttribute(key, expected: "a tensor")
        }
    }

    private func wrongAttribute(_ key: String, expected: String) -> EdgeflowError {
        EdgeflowError(.invalidModel, "attribute '\(key)' of \(opType) node '\(displayName)' is not \(expected)")
    }
}
