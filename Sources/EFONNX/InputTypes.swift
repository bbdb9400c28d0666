// Static types of the graph inputs: the declared element type and shape, with dynamic dims
// filled from --input-shape (a dynamic batch dim defaults to 1, with a note), and frozen
// inputs checked against the declaration.

import EFCore
import EFIR

enum InputTypes {
    /// Checks that every input named in `--input-shape` or `frozenInputs` exists.
    /// - Throws: `EdgeflowError.invalidArgument` listing the unknown names and the real inputs.
    static func checkNames(_ options: ImportOptions, inputs: [String]) throws {
        let known = Set(inputs)
        var problems: [String] = []
        for name in options.inputShapes.keys.sorted() where !known.contains(name) {
            problems.append("--input-shape names '\(name)'" + NameSuggestions.didYouMean(name, in: inputs))
        }
        for name in options.frozenInputs.keys.sorted() where !known.contains(name) {
            problems.append("frozen input '\(name)'" + NameSuggestions.didYouMean(name, in: inputs))
        }
        guard problems.isEmpty else {
            throw EdgeflowError(.invalidArgument,
                problems.joined(separator: "; ") + ", which is not an input of the model",
                hint: "the model's inputs are: " + (inputs.isEmpty ? "(none)" : inputs.joined(separator: ", ")))
        }
    }

    /// The static type of each of `inputs`. A dynamic first dim that looks like a batch
    /// (`isBatchLike`) becomes 1 and adds a note to `ImportNotes.current`; an input with an
    /// `--input-shape` is taken from that instead.
    /// - Throws: `EdgeflowError.invalidArgument` when an `--input-shape` contradicts a fixed dim
    ///   or the rank; `EdgeflowError.unsupported` listing every input still dynamic (naming the
    ///   dims) with an `--input-shape` suggestion, and for non-tensor or unsupported-dtype inputs.
    static func resolve(_ inputs: [OnnxValueInfo], shapes: [String: [Int]]) throws -> [String: TensorType] {
        var types: [String: TensorType] = [:]
        var dynamic: [String] = [], suggestions: [String] = []
        for info in inputs {
            let what = "graph input '\(info.name)'"
            guard info.isTensor else {
                throw EdgeflowError(.unsupported,
                                    "\(what) is a \(info.kind.rawValue), Edgeflow supports tensor inputs only")
            }
            let dtype = try OnnxDataType.requiredDType(info.elemType, for: what)
            if let override = shapes[info.name] {
                try check(override, against: info.dims, of: info.name)
                do {
                    try TensorType(dtype, override).checkSize("--input-shape for '\(info.name)'")
                } catch let error as EdgeflowError {
                    throw EdgeflowError(.invalidArgument, error.message)
                }
                types[info.name] = TensorType(dtype, override)
                continue
            }
            guard let dims = info.dims else {
                dynamic.append("\(what) has no declared shape")
                suggestions.append("\(info.name)=<dims>")
                continue
            }
            var shape: [Int] = [], unknown: [String] = [], batchNote: String?
            for (axis, dim) in dims.enumerated() {
                if case .value(let v) = dim, v >= 0 {
                    shape.append(v)
                } else if axis == 0 && isBatchLike(dim) {
                    shape.append(1)
                    batchNote = "\(what): dynamic batch dim \(describe(dim, axis: 0)) set to 1"
                } else {
                    unknown.append(describe(dim, axis: axis))
                    shape.append(-1)
                }
            }
            if unknown.isEmpty {
                types[info.name] = TensorType(dtype, shape)
                try TensorType(dtype, shape).checkSize(what)
                if let batchNote {
                    let rest = shape.dropFirst().map { ",\($0)" }.joined()
                    ImportNotes.current?.add(batchNote + "; for another batch size give --input-shape "
                        + "\(info.name)=\(placeholder(dims[0]))\(rest)")
                }
            } else {
                dynamic.append("\(what) has dynamic dim\(unknown.count > 1 ? "s" : "") "
                               + unknown.joined(separator: ", "))
                suggestions.append("\(info.name)=" + zip(shape, dims).map { $0 >= 0 ? String($0) : placeholder($1) }
                    .joined(separator: ","))
            }
        }
        guard dynamic.isEmpty else {
            throw EdgeflowError(.unsupported,
                dynamic.joined(separator: "; ") + "; Edgeflow compiles static shapes",
                hint: "give every dynamic dim a number: "
                    + suggestions.map { "--input-shape \($0)" }.joined(separator: " "))
        }
        return types
    }

    /// Whether a dynamic dim on an input's first axis is a batch dim: a `dim_param` named like a
    /// batch (`batch`, `batch_size`, `N`, `None`, `bs`, anything containing "batch", in any case)
    /// or meaning "unknown" (empty, `-1`, `0`, `?`, tf2onnx's `unk__314` for TF's None, Paddle2ONNX's
    /// `DynamicDimension.0`), no dim at all, or a negative `dim_value`.
    static func isBatchLike(_ dim: OnnxDim) -> Bool {
        switch dim {
        case .unknown: return true
        case .value(let v): return v < 0
        case .param(let name):
            for prefix in ["unk__", "DynamicDimension."] where name.hasPrefix(prefix) {
                let suffix = name.dropFirst(prefix.count)
                if !suffix.isEmpty, suffix.allSatisfy(\.isNumber) { return true }
            }
            let key = name.lowercased().filter { $0.isLetter || $0.isNumber || $0 == "-" || $0 == "?" }
            return key.contains("batch") || ["", "n", "none", "bs", "b", "-1", "0", "?"].contains(key)
        }
    }

    private static func describe(_ dim: OnnxDim, axis: Int) -> String {
        if case .param(let name) = dim { return "\(axis) ('\(name)')" }
        return "\(axis)"
    }

    private static func placeholder(_ dim: OnnxDim) -> String {
        if case .param(let name) = dim { return "<\(name)>" }
        return "<n>"
    }

    private static func check(_ override: [Int], against dims: [OnnxDim]?, of name: String) throws {
        guard override.allSatisfy({ $0 >= 0 }) else {
            throw EdgeflowError(.invalidArgument,
                                "--input-shape for '\(name)' has a negative dim: \(override.shapeDescription)")
        }
        guard let dims else { return }
        guard dims.count == override.count else {
            throw EdgeflowError(.invalidArgument,
                "--input-shape for '\(name)' has rank \(override.count), but the model declares rank \(dims.count)")
        }
        for (axis, (dim, value)) in zip(dims, override).enumerated() {
            if case .value(let fixed) = dim, fixed >= 0, fixed != value {
                throw EdgeflowError(.invalidArgument,
                    "--input-shape for '\(name)' gives dim \(axis) = \(value), but the model fixes it at \(fixed)")
            }
        }
    }

    /// Checks a frozen input's tensor against the input's declaration.
    /// - Throws: `EdgeflowError.invalidArgument` for a dtype or shape that does not fit.
    static func checkFrozen(_ tensor: Tensor, for info: OnnxValueInfo) throws {
        let declared = OnnxDataType.dtype(info.elemType)
        let fits = info.dims.map { dims in
            dims.count == tensor.shape.count && zip(dims, tensor.shape).allSatisfy { dim, size in
                if case .value(let v) = dim, v >= 0 { return v == size }
                return true
            }
        } ?? true
        guard declared == nil || declared == tensor.dtype, fits else {
            throw EdgeflowError(.invalidArgument,
                "the frozen value of input '\(info.name)' is \(tensor), which does not fit the declared "
                    + "\(OnnxDataType.name(info.elemType)) \(info.dims.map { "\($0.count)-D" } ?? "") input")
        }
    }
}
