// Checks of an ONNX graph's declarations made before anything is imported: graph inputs and
// initializers have non-empty, unique names, and every declared tensor shape (graph inputs,
// outputs, value_info) describes a tensor whose byte count fits in Int. Bad data here is an
// invalid model (exit 65) naming the value, never an internal error or a trap later on.

import EFCore
import EFIR

enum GraphValidation {
    /// Validates the names and declared shapes of `graph`.
    /// - Throws: `EdgeflowError.invalidModel` for an empty or repeated graph input or
    ///   initializer name, and for a declared shape whose element or byte count overflows.
    static func check(_ graph: OnnxGraph) throws {
        try unique(graph.inputs.map(\.name), "graph input")
        try unique(graph.initializers.map(\.name), "initializer")
        for (list, role) in [(graph.inputs, "graph input"), (graph.outputs, "graph output"),
                             (graph.valueInfo, "value_info")] {
            for info in list { try checkDeclaredSize(info, role) }
        }
    }

    /// Names must be non-empty and appear once.
    private static func unique(_ names: [String], _ role: String) throws {
        var seen = Set<String>()
        for (index, name) in names.enumerated() {
            guard !name.isEmpty else {
                throw EdgeflowError(.invalidModel, "\(role) \(index) has an empty name",
                                    hint: "the model file is damaged or was written by a broken exporter")
            }
            guard seen.insert(name).inserted else {
                throw EdgeflowError(.invalidModel, "\(role) '\(name)' is listed twice",
                                    hint: "the model file is damaged or was written by a broken exporter")
            }
        }
    }

    /// The fixed dims of a declared tensor shape (unknown dims count as 1) must give a byte
    /// count that fits in Int.
    private static func checkDeclaredSize(_ info: OnnxValueInfo, _ role: String) throws {
        guard info.isTensor, let dims = info.dims else { return }
        let fixed = dims.map { dim -> Int in
            if case .value(let v) = dim, v > 0 { return v }
            return 1
        }
        let dtype = OnnxDataType.dtype(info.elemType) ?? .uint8
        _ = try CheckedSize.byteCount(fixed, dtype, "\(role) '\(info.name)' declares a shape that is too large",
                                      kind: .invalidModel)
    }
}
