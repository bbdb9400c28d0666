// The TFLite front end's entry point: read the file (bounded), decode the FlatBuffer, refuse
// unsupported operators and quantized computation all at once, translate the main subgraph
// into ONNX-form nodes in NCHW (one transpose at each 4-D graph input and output, so the
// graph's public tensors stay NHWC), each operator's nodes imported at once with EFONNX's op
// importers onto the core ops (so TFLite and ONNX models share every lowering and the constant
// folding, and later operators see inferred shapes), resource variables as inputs and outputs
// when asked.

import EFCore
import EFIR
import EFONNX
import Foundation

/// Imports TFLite models into Edgeflow graphs with static shapes.
public enum TFLiteImporter {
    /// The largest TFLite file read (buffers of models over 2 GB live after the FlatBuffer).
    public static let maxFileBytes = 8 << 30

    /// Reads and imports a `.tflite` file.
    /// - Throws: `EdgeflowError` — `.io` when the file cannot be read, `.invalidModel` for a
    ///   corrupt or inconsistent FlatBuffer, `.unsupported` for operators (all listed in one
    ///   error, with their operator indices), quantized computation or types Edgeflow does not
    ///   handle.
    /// - Parameters:
    ///   - exposingState: make each resource variable (the state of a streaming model) a graph
    ///     input named as the variable and an output `NAME:next`; without it every run starts from
    ///     the variables' initial values.
    ///   - inputShapes: shapes for graph inputs by name, differing from the declared ones only
    ///     where the shape signature is −1 (a dynamic batch or length); the rest of the graph
    ///     follows. `.invalidArgument` for an unknown name or another change.
    public static func importModel(at url: URL, exposingState: Bool = false,
                                   inputShapes: [String: [Int]] = [:]) throws -> Graph {
        let bytes = try BoundedRead.contents(of: url, limit: maxFileBytes, what: "TFLite model",
                                             howToChange: "Edgeflow reads TFLite files up to 8 GiB")
        return try importModel(bytes: bytes, name: url.deletingPathExtension().lastPathComponent,
                               exposingState: exposingState, inputShapes: inputShapes)
    }

    /// Imports a TFLite model held in memory.
    /// - Parameter name: the graph's name.
    /// - Throws: as `importModel(at:)`.
    public static func importModel(bytes: [UInt8], name: String = "model", exposingState: Bool = false,
                                   inputShapes: [String: [Int]] = [:]) throws -> Graph {
        let model = try TFLiteModel(buffer: FlatBuffer(bytes: bytes))
        var graph = model.subgraphs[0]
        try ModelChecks.checkOperators(model, graph)
        try ModelChecks.checkQuantizedOperators(model, graph)
        try InputShapes.apply(inputShapes, to: &graph)
        do {
            return try translate(model, graph, name: name, exposingState: exposingState)
        } catch var error as EdgeflowError where error.hint == nil {
            error.hint = placeholderHint(graph, given: inputShapes)
            throw error
        }
    }

    /// When graph inputs keep placeholder dimensions (−1 in their shape signature) that
    /// `--input-shape` did not set, the likely cause of a failed import: says which and how to set them.
    private static func placeholderHint(_ graph: TFLiteSubgraph, given: [String: [Int]]) -> String? {
        let open = graph.inputs.map { graph.tensors[$0] }.filter {
            given[$0.name] == nil && ($0.shapeSignature?.contains(-1) ?? false)
        }
        guard !open.isEmpty else { return nil }
        let described = open.map { tensor -> String in
            let dims = zip(tensor.shape, tensor.shapeSignature ?? []).map { $1 < 0 ? "<n>" : String($0) }
            return "--input-shape \(tensor.name)=\(dims.joined(separator: ","))"
        }
        return "the file declares \(open.map { "'\($0.name)' \($0.shape)" }.joined(separator: ", ")) with "
            + "placeholder dims (−1 in the shape signature), which may be why; give the real sizes: "
            + described.joined(separator: " ")
    }

    /// The main subgraph, translated operator by operator into ONNX-form nodes (opset 17;
    /// ai.edgeflow 1 for TFLite's integer arithmetic) that are lowered as they come.
    static func translate(_ model: TFLiteModel, _ graph: TFLiteSubgraph, name: String,
                          exposingState: Bool) throws -> Graph {
        let ctx = try TranslationContext(model: model, graph: graph)
        ctx.variables.exposesState = exposingState
        try ModelChecks.checkPublicTensors(graph)
        for index in graph.inputs + graph.outputs { ctx.reserve(ctx.tensor(index).name) }
        for index in graph.inputs {
            let tensor = ctx.tensor(index)
            guard let dtype = TensorData.dtype(tensor.typeCode) else {
                throw EdgeflowError(.unsupported, "graph input '\(tensor.name)' has type "
                    + "\(TensorData.typeName(tensor.typeCode)), which Edgeflow does not read")
            }
            ctx.importer.addInput(tensor.name, TensorType(dtype, tensor.shape))
            if tensor.shape.count == 4 {
                ctx.bind(index, to: ctx.emit("Transpose", [tensor.name], ["perm": .ints(Layout.toNCHWPerm)],
                                             hint: tensor.name))
            } else {
                ctx.bind(index, to: tensor.name)
            }
        }
        try ctx.flush()
        try translateOperators(ctx)
        var outputs: [String] = []
        for index in graph.outputs {
            let tensor = ctx.tensor(index)
            let value = try ctx.value(index)
            if graph.inputs.contains(index) {
                // An input given back as an output: the graph input itself.
            } else if tensor.shape.count == 4 && !ctx.isComplex(index) {
                ctx.emit("Transpose", [value], ["perm": .ints(Layout.toNHWCPerm)], output: tensor.name, hint: value)
            } else if value != tensor.name {
                ctx.emit("Identity", [value], output: tensor.name, hint: value)
            }
            outputs.append(tensor.name)
        }
        outputs += try VariableTranslators.emitNextState(ctx)
        try ctx.flush()
        let variables = ctx.variables.initialized.map(\.name)
        if !variables.isEmpty && !exposingState {
            ImportNotes.current?.add("the model keeps state in \(variables.count) resource variable"
                + "\(variables.count > 1 ? "s" : ""); each run starts from their initial values (LiteRT's first "
                + "invocation); --state-io makes them inputs and outputs NAME:next to carry them between runs")
        }
        let inputs = graph.inputs.map { ctx.tensor($0).name } + (exposingState ? variables : [])
        return try ctx.importer.finish(name: graph.name.isEmpty ? name : graph.name, inputs: inputs, outputs: outputs)
    }

    /// Translates the operators of `ctx`'s subgraph in order, each lowered at once.
    static func translateOperators(_ ctx: TranslationContext) throws {
        for (opIndex, op) in ctx.graph.operators.enumerated() {
            let code = ctx.model.operatorCodes[op.opcodeIndex]
            let isCustom = code.builtinCode == BuiltinOperator.custom
            ctx.current = (opIndex, isCustom ? code.customCode ?? "CUSTOM" : BuiltinOperator.name(code.builtinCode))
            guard let translator = OperatorTranslators.translator(for: code, integer: ctx.computesInIntegers(op),
                                                                  complex: ctx.readsComplex(op)) else {
                throw EdgeflowError(.internalError, "\(ctx.opDescription) has no translator after the check")
            }
            for out in op.outputs where out >= 0 && out < ctx.graph.tensors.count && ctx.isProduced(out) {
                throw EdgeflowError(.invalidModel, "\(ctx.opDescription) writes tensor '\(ctx.tensor(out).name)', "
                    + "which is a graph input or written by an earlier operator")
            }
            try translator(op, ctx)
            try ctx.flush()
        }
    }
}
