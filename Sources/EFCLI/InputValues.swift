// `--input-value NAME=V[,V…]`: graph inputs frozen to constants when parsing, so what depends on
// them folds (an If on a sample-rate input, a shape computed from a length input). The tensor
// takes the input's declared dtype and shape (a rank-1 input of dynamic length takes as many
// values as given).

import ArgumentParser
import EFCore
import EFKernels
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

    /// `values` as `dtype` through the cast kernel; a value the dtype cannot hold exactly (a
    /// fraction or an out-of-range number for an integer type) is refused.
    private static func tensor(_ values: [Double], dtype: DType, shape: [Int], what: String) throws -> Tensor {
        let tensor = try Kernels.cast(Tensor(shape: shape, scalars: values), to: dtype)
        if dtype.isInteger {
            let back = try Kernels.cast(tensor, to: .float64).doubleValues()
            if let index = zip(values, back).enumerated().first(where: { $0.element.0 != $0.element.1 })?.offset {
                throw EdgeflowError(.invalidArgument, "\(what): \(values[index]) does not fit \(dtype)")
            }
        }
        return tensor
    }
}
