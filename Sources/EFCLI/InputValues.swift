// `--input-value NAME=V[,V…]`: graph inputs frozen to constants when parsing, so what depends on
// them folds (an If on a sample-rate input, a shape computed from a length input). The tensor
// takes the input's declared dtype and shape (a rank-1 input of dynamic length takes as many
// values as given).

import ArgumentParser
import EFCore
import EFONNX

/// One `NAME=V[,V…]` argument.
struct NamedValues: ExpressibleByArgument {
    var name: String
    var values: [Double]

    init?(argument: String) {
        guard let separator = argument.lastIndex(of: "=") else { return nil }
        name = String(argument[..<separator])
        let parsed = argument[argument.index(after: separator)...]
            .split(separator: ",", omittingEmptySubsequences: false)
            .map { Double($0.trimmingCharacters(in: .whitespaces)) }
        guard !name.isEmpty, !parsed.isEmpty, parsed.count <= 1 << 16,
              parsed.allSatisfy({ $0?.isFinite == true }) else {
            return nil
        }
        values = parsed.compactMap { $0 }
    }

    static var defaultCompletionKind: CompletionKind { .default }
}

enum InputValues {
    /// The tensors for `arguments`, typed from `graph`'s input declarations.
    /// - Throws: `EdgeflowError.invalidArgument` for an unknown input, a count that does not fit
    ///   its shape, a value its dtype cannot hold, or an input of another dtype than numbers/bool.
    static func tensors(_ arguments: [NamedValues], for graph: OnnxGraph) throws -> [String: Tensor] {
        var result: [String: Tensor] = [:]
        for argument in arguments {
            guard let info = graph.inputs.first(where: { $0.name == argument.name }) else {
                throw EdgeflowError(.invalidArgument, "--input-value names '\(argument.name)', which is not an input; "
                                        + "inputs: " + graph.inputs.map(\.name).joined(separator: ", "))
            }
            let what = "--input-value for '\(argument.name)'"
            let dtype = try OnnxDataType.requiredDType(info.elemType, for: what)
            let declared = info.dims ?? []
            var shape = declared.map { dim -> Int? in
                if case .value(let v) = dim, v >= 0 { return v }
                return nil
            }
            if shape.count == 1, shape[0] == nil { shape = [argument.values.count] }
            guard shape.allSatisfy({ $0 != nil }), shape.compactMap({ $0 }).reduce(1, *) == argument.values.count else {
                throw EdgeflowError(.invalidArgument, "\(what) gives \(argument.values.count) value(s), but the input "
                                        + "is declared \(declared.map { "\($0)" }.joined(separator: "×"))",
                                    hint: "give exactly one value per element of a fully static input")
            }
            result[argument.name] = try tensor(argument.values, dtype: dtype, shape: shape.compactMap { $0 },
                                               what: what)
        }
        return result
    }

    private static func tensor(_ values: [Double], dtype: DType, shape: [Int], what: String) throws -> Tensor {
        func whole<T: FixedWidthInteger & TensorElement>(_: T.Type) throws -> Tensor {
            Tensor(shape: shape, scalars: try values.map { value in
                guard value == value.rounded(), let exact = T(exactly: value) else {
                    throw EdgeflowError(.invalidArgument, "\(what): \(value) does not fit \(dtype)")
                }
                return exact
            })
        }
        switch dtype {
        case .float32: return Tensor(shape: shape, scalars: values.map { Float($0) })
        case .float64: return Tensor(shape: shape, scalars: values)
        case .int64: return try whole(Int64.self)
        case .int32: return try whole(Int32.self)
        case .int8: return try whole(Int8.self)
        case .uint8: return try whole(UInt8.self)
        case .bool:
            let bytes = values.map { $0 != 0 ? UInt8(1) : 0 }
            return bytes.withUnsafeBytes { Tensor(dtype: .bool, shape: shape, bytes: $0) }
        default:
            throw EdgeflowError(.unsupported, "\(what): inputs of dtype \(dtype) cannot be given on the command line")
        }
    }
}
