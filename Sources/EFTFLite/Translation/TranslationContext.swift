// The state of one TFLite → ONNX-form translation. TFLite is NHWC; the graph Edgeflow imports
// is NCHW like the ONNX graphs its passes know, so every 4-D TFLite tensor is held as its NCHW
// transpose, weights are permuted here once, and only ops whose meaning depends on memory
// order (reshape, fully connected on 4-D input) get a transpose back to NHWC. The channels-last
// layout pass later removes what it can. Other ranks are held as TFLite has them.

import EFCore
import EFKernels
import EFONNX
import Foundation

/// One translation of a TFLite subgraph into ONNX nodes.
final class TranslationContext {
    let model: TFLiteModel
    let graph: TFLiteSubgraph
    /// The graph being built: each operator's nodes are lowered once it is translated, so later
    /// operators see the shapes and folded constants of earlier ones.
    let importer: IncrementalImport
    /// Nodes emitted for the current operator, lowered by `flush`.
    private var pending: [OnnxNode] = []
    /// Constant tensors in TFLite layout, by tensor index (buffers, and DEQUANTIZE folded).
    private var constants: [Int: Tensor] = [:]
    /// The IR name of each non-constant tensor (4-D ones held as NCHW).
    private var names: [Int: String] = [:]
    /// Resource variables: which tensor names which, and what each holds so far.
    var variables = VariableTranslators.State()
    /// The operator being translated (for node names and messages).
    var current = (index: 0, name: "")
    /// Where the subgraph is used ("" for the main graph; "WHILE (operator 3), body, iteration 2").
    let scope: String
    /// Put before every name this context makes ("" for the main graph), so the names of a loop's
    /// iterations never collide and `fresh` needs no search.
    let namePrefix: String
    /// The subgraphs being translated, this one included (0: the main graph); a subgraph may not
    /// use itself.
    let activeSubgraphs: Set<Int>
    /// What the main graph's context and its subgraphs' share: names, constants, the budget.
    let shared: SharedTranslation

    /// The context of the main subgraph.
    init(model: TFLiteModel, graph: TFLiteSubgraph) throws {
        self.model = model
        self.graph = graph
        constants = try Self.constants(of: graph, in: model)
        let constantBytes = constants.values.reduce(0) { $0 &+ $1.byteCount }
        importer = IncrementalImport(opset: TranslationContext.opset, constantBytes: constantBytes)
        scope = ""
        namePrefix = ""
        activeSubgraphs = [0]
        shared = SharedTranslation()
    }

    /// The context of subgraph `index`, translated into the same graph as `parent` (a WHILE's
    /// condition or body, an IF's branch); its inputs still need binding.
    init(subgraph index: Int, of parent: TranslationContext, scope: String, namePrefix: String) throws {
        model = parent.model
        graph = model.subgraphs[index]
        shared = parent.shared
        if let cached = shared.constants[index] {
            constants = cached
        } else {
            constants = try Self.constants(of: graph, in: model)
            shared.constants[index] = constants
        }
        importer = parent.importer
        self.scope = scope
        self.namePrefix = parent.namePrefix + namePrefix
        activeSubgraphs = parent.activeSubgraphs.union([index])
    }

    /// The constant tensors of `graph` (sparse ones densified). Sparse constants grow when
    /// densified: all of them together may take 64× the file's size (at least 64 MiB), so a small
    /// file cannot make the importer allocate without bound.
    private static func constants(of graph: TFLiteSubgraph, in model: TFLiteModel) throws -> [Int: Tensor] {
        var constants: [Int: Tensor] = [:]
        var denseBudget = Swift.max(model.file.bytes.count.multipliedReportingOverflow(by: 64).partialValue, 64 << 20)
        for (index, tensor) in graph.tensors.enumerated() {
            if tensor.sparsity != nil, tensor.buffer > 0, let dtype = TensorData.dtype(tensor.typeCode) {
                denseBudget -= try CheckedSize.byteCount(tensor.shape, dtype, "sparse tensor '\(tensor.name)'",
                                                         kind: .invalidModel)
                guard denseBudget >= 0 else {
                    throw EdgeflowError(.invalidModel, "sparse tensor '\(tensor.name)' of shape \(tensor.shape): "
                        + "densified, the model's sparse constants would exceed 64 times the file's size")
                }
            }
            if let value = try TensorData.constant(tensor, in: model) { constants[index] = value }
        }
        return constants
    }

    /// The ai.onnx opset of the emitted nodes.
    static let opset = 17

    /// Lowers the nodes emitted since the last call.
    /// - Throws: the lowering's error, prefixed with the current operator.
    func flush() throws {
        defer { pending.removeAll() }
        for node in pending {
            do { try importer.add(node) } catch let error as EdgeflowError { throw error.prefixed(opDescription) }
        }
    }

    // MARK: Tensors

    func tensor(_ index: Int) -> TFLiteTensor { graph.tensors[index] }
    func rank(_ index: Int) -> Int { graph.tensors[index].shape.count }

    /// The shape of a tensor in TFLite's order: a constant's, or as the graph infers it once an
    /// operator has produced it (TFLite files may declare placeholder 1s where the converter did
    /// not know a dimension), else as declared.
    func shape(_ index: Int) -> [Int] {
        let declared = graph.tensors[index].shape
        if let constant = constants[index] { return constant.shape }
        guard let name = names[index], var inferred = importer.type(name)?.shape else { return declared }
        if isComplex(index) { inferred.removeLast() }
        guard inferred.count == declared.count else { return declared }
        return inferred.count == 4 && !isComplex(index) ? Layout.toNHWCPerm.map { inferred[$0] } : inferred
    }

    /// Whether the file declares some dimension of tensor `index` unknown (−1 in its shape
    /// signature), so its declared shape holds a placeholder there.
    func hasPlaceholderShape(_ index: Int) -> Bool { graph.tensors[index].shapeSignature?.contains(-1) ?? false }

    /// The constant value of a tensor in TFLite layout, float16 widened, nil when computed at run
    /// time (a value the graph computed from constants counts as constant).
    func constant(_ index: Int) -> Tensor? {
        guard let value = constants[index] else { return foldedConstant(index) }
        return value.dtype == .float16 ? TensorData.widened(value) : value
    }

    /// The constant that folding made of tensor `index`, in TFLite's order.
    private func foldedConstant(_ index: Int) -> Tensor? {
        guard let name = names[index], let value = importer.constant(name), !isComplex(index) else { return nil }
        guard value.rank == 4 else { return value }
        return try? Kernels.transpose(value, perm: Layout.toNHWCPerm)
    }

    /// The constant value of a tensor as stored (float16 kept), nil when computed at run time.
    func rawConstant(_ index: Int) -> Tensor? { constants[index] }

    func setConstant(_ index: Int, _ value: Tensor) { constants[index] = value }

    /// The input `position` of the current operator, or an error naming its role.
    func input(_ op: TFLiteOperator, _ position: Int, _ role: String) throws -> Int {
        guard position < op.inputs.count, op.inputs[position] >= 0 else {
            throw EdgeflowError(.invalidModel, "\(opDescription) lacks its \(role) input")
        }
        return op.inputs[position]
    }

    /// The constant input `position`, or an error saying it must be constant.
    func constantInput(_ op: TFLiteOperator, _ position: Int, _ role: String) throws -> Tensor {
        let index = try input(op, position, role)
        guard let value = constant(index) else {
            throw EdgeflowError(.unsupported, "\(opDescription): its \(role) '\(tensor(index).name)' is computed at "
                + "run time; Edgeflow needs it constant")
        }
        return value
    }

    var opDescription: String {
        let op = "operator \(current.index) (\(current.name))"
        return scope.isEmpty ? op : "\(scope): \(op)"
    }

    // MARK: Values

    /// The IR value of a tensor as the graph holds it (NCHW for rank 4); constants become
    /// initializers (4-D ones transposed) on first use.
    func value(_ index: Int) throws -> String {
        guard index >= 0 else { throw EdgeflowError(.invalidModel, "\(opDescription) lacks an input") }
        if let name = names[index] { return name }
        guard let constant = constant(index) else {
            throw EdgeflowError(.invalidModel, "tensor '\(tensor(index).name)' is used by \(opDescription) "
                + "before an operator produces it")
        }
        let held = constant.rank == 4 ? try Layout.toNCHW(constant) : constant
        let name = addInitializer(held, hint: tensor(index).name)
        names[index] = name
        return name
    }

    /// The name under which an operator's output tensor is produced.
    func outputName(_ index: Int) -> String {
        if let name = names[index] { return name }
        let name = fresh(tensor(index).name.isEmpty ? "tensor_\(index)" : tensor(index).name)
        names[index] = name
        return name
    }

    /// Whether tensor `index` already has a value (a graph input or an earlier operator's output).
    func isProduced(_ index: Int) -> Bool { names[index] != nil }

    /// Declares that `value` (held as the graph holds tensor `index`) is tensor `index`.
    func bind(_ index: Int, to value: String) { names[index] = value }

    func addInitializer(_ tensor: Tensor, hint: String) -> String {
        let name = fresh(hint)
        importer.addConstant(name, tensor)
        return name
    }

    /// An int64 initializer (shapes, axes, pads).
    func int64s(_ values: [Int], hint: String) -> String {
        addInitializer(Tensor(shape: [values.count], scalars: values.map(Int64.init)), hint: hint)
    }

    /// Emits `value[start..<end]` along `axis` (an ONNX Slice with constant bounds).
    func slice(_ value: String, axis: Int, _ start: Int, _ end: Int) -> String {
        emit("Slice", [value, int64s([start], hint: "start"), int64s([end], hint: "end"), int64s([axis], hint: "axis")],
             hint: "slice")
    }

    /// The pad value of an operator computing on int8/uint8 values: its output's zero point, as
    /// LiteRT's pad and space-to-batch kernels fill; nil for float operators (they pad with 0).
    func integerPadValue(_ op: TFLiteOperator) throws -> String? {
        guard computesInIntegers(op) else { return nil }
        let q = try quantization(try output(op))
        return try scalar(q.zeroPoint, q.dtype, hint: "pad_value")
    }

    func int64Scalar(_ value: Int, hint: String) -> String {
        addInitializer(Tensor(shape: [], scalars: [Int64(value)]), hint: hint)
    }

    func float32(_ value: Float, hint: String) -> String {
        addInitializer(Tensor(shape: [], scalars: [value]), hint: hint)
    }

    /// A name not used so far, based on `hint`.
    func fresh(_ hint: String) -> String {
        shared.usedNames.fresh(namePrefix + hint, alsoTaken: importer.isTaken)
    }

    /// Appends an ONNX node; with no `output` given, one is made from `hint`. Returns the output.
    @discardableResult
    func emit(_ opType: String, _ inputs: [String], _ attributes: [String: OnnxAttribute] = [:],
              domain: String = "", output: String? = nil, hint: String) -> String {
        var node = OnnxNode()
        node.opType = opType
        node.domain = domain
        node.name = fresh("\(current.index):\(current.name)/\(opType)")
        node.inputs = inputs
        node.outputs = [output ?? fresh("\(hint)/\(opType.lowercased())")]
        node.attributes = attributes
        pending.append(node)
        return node.outputs[0]
    }

    /// Appends an ONNX node with several outputs (the names given).
    func emit(_ opType: String, _ inputs: [String], _ attributes: [String: OnnxAttribute] = [:], outputs: [String]) {
        var node = OnnxNode()
        node.opType = opType
        node.name = fresh("\(current.index):\(current.name)/\(opType)")
        node.inputs = inputs
        node.outputs = outputs
        node.attributes = attributes
        pending.append(node)
    }

    /// Reserves names so `fresh` never picks them (graph input and output names).
    func reserve(_ name: String) { shared.usedNames.insert(name) }
}
