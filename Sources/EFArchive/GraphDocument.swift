// The archive's `graph.json`: the graph as readable JSON, one layer per node in topological
// order with its op, inputs, outputs, their shapes and dtypes, parameters and original
// (source model) names; then the type of every value, the weights (with their key in
// weights.npz) and the graph metadata (e.g. PP-OCR's `character` dictionary).
//
// Parameters are plain JSON numbers, strings and arrays. JSON has no NaN or infinity, so
// those floats are written as the strings "NaN", "Infinity" and "-Infinity"; a string
// parameter with exactly one of those values therefore cannot be stored (writing refuses it).

import EFCore
import EFIR
import Foundation

/// The JSON form of a `Graph` (weights excluded: they live in weights.npz).
struct GraphDocument: Codable {
    struct Layer: Codable {
        var name: String
        /// The op's raw name (`OpType.rawValue`).
        var type: String
        var inputs: [String]
        var outputs: [String]
        /// One entry per input; null for an absent optional input.
        var inputShapes: [[Int]?]
        var inputDTypes: [DType?]
        var outputShapes: [[Int]]
        var outputDTypes: [DType]
        var params: Attributes
        var originalNames: [String]
        /// The node's run conditions (absent: it always runs).
        var runsWhen: [RunCondition]?
        /// True for a conv, convTranspose or matMul whose products run in bf16 (absent: false).
        var bfloat16Products: Bool?
    }

    struct Weight: Codable {
        /// The value name.
        var name: String
        /// The key numpy.load gives this array in weights.npz (see NPZ's escaping rule).
        var npzKey: String
    }

    var name: String
    var stage: GraphStage
    var inputs: [String]
    var outputs: [String]
    var layers: [Layer]
    /// The type of every value: inputs, weights and layer outputs.
    var values: [String: TensorType]
    var weights: [Weight]
    var metadata: [String: String]

    static let nonFiniteMarkers = (positiveInfinity: "Infinity", negativeInfinity: "-Infinity", nan: "NaN")

    /// The document for a verified graph (every value has a type).
    init(_ graph: Graph) throws {
        func type(_ value: String, of node: Node) throws -> TensorType {
            guard let type = graph.types[value] else {
                throw EdgeflowError(.internalError, "value '\(value)' of node '\(node.name)' has no type")
            }
            return type
        }
        name = graph.name
        stage = graph.stage
        inputs = graph.inputs
        outputs = graph.outputs
        layers = try graph.nodes.map { node in
            try Self.checkStorable(node)
            let inputTypes = try node.inputs.map { $0.isEmpty ? nil : try type($0, of: node) }
            let outputTypes = try node.outputs.map { try type($0, of: node) }
            return Layer(name: node.name, type: node.op.rawValue, inputs: node.inputs, outputs: node.outputs,
                         inputShapes: inputTypes.map { $0?.shape }, inputDTypes: inputTypes.map { $0?.dtype },
                         outputShapes: outputTypes.map(\.shape), outputDTypes: outputTypes.map(\.dtype),
                         params: node.attributes, originalNames: node.originalNames,
                         runsWhen: node.runsWhen.isEmpty ? nil : node.runsWhen,
                         bfloat16Products: node.bfloat16Products ? true : nil)
        }
        values = graph.types
        weights = graph.weights.keys.sorted().map {
            Weight(name: $0, npzKey: String(NPZ.memberName(forKey: $0).dropLast(4)))
        }
        metadata = graph.metadata
    }

    /// The most bytes one declared value may have (1 TiB): far beyond any real tensor, and small
    /// enough that sums of the sizes of millions of values cannot overflow.
    static let maxValueBytes = 1 << 40

    /// The graph without weights (they are added from weights.npz).
    /// - Throws: `EdgeflowError.invalidArchive` for unknown ops, declared types that are not
    ///   sane (see `checkDeclaredType`) or layer types that contradict `values`.
    func graph() throws -> Graph {
        for (value, type) in values.sorted(by: { $0.key < $1.key }) { try Self.checkDeclaredType(type, of: value) }
        let nodes = try layers.map { layer -> Node in
            guard let op = OpType(rawValue: layer.type) else {
                throw EdgeflowError(.invalidArchive, "layer '\(layer.name)' has unknown type '\(layer.type)'",
                                    hint: "the archive may come from a newer Edgeflow; upgrade Edgeflow")
            }
            try checkRedundantTypes(of: layer)
            do {
                var node = try Node(name: layer.name, op: op, inputs: layer.inputs, outputs: layer.outputs,
                                    attributes: layer.params, originalNames: layer.originalNames)
                node.runsWhen = layer.runsWhen ?? []
                if layer.bfloat16Products == true {
                    guard [.conv, .convTranspose, .matMul].contains(op) else {
                        throw EdgeflowError(.invalidModel, "layer '\(layer.name)' (\(op.rawValue)) is marked "
                                                + "bfloat16Products, which only conv, convTranspose and matMul take")
                    }
                    node.bfloat16Products = true
                }
                return node
            } catch let error as EdgeflowError {
                throw EdgeflowError(.invalidArchive, "the graph is inconsistent: \(error.message)")
            }
        }
        return Graph(name: name, stage: stage, inputs: inputs, outputs: outputs, nodes: nodes,
                     types: values, weights: [:], metadata: metadata)
    }

    /// JSON bytes, pretty-printed with sorted keys and scalar arrays on one line.
    func encoded() throws -> Data { try ReadableJSON.encode(self) }

    /// Parses `graph.json` bytes.
    static func decode(_ data: Data) throws -> GraphDocument {
        let decoder = JSONDecoder()
        let markers = nonFiniteMarkers
        decoder.nonConformingFloatDecodingStrategy = .convertFromString(
            positiveInfinity: markers.positiveInfinity, negativeInfinity: markers.negativeInfinity, nan: markers.nan)
        return try decoder.decode(GraphDocument.self, from: data)
    }

    /// Refuses a declared type with more than `CheckedSize.maxRank` dims, a negative dim, an
    /// element count, byte count or stride that overflows, or more than `maxValueBytes` bytes
    /// counting empty (zero) dims as 1, so that no dim of any value exceeds 2^40 and sums of a
    /// few dims or of a dim and a parameter below 2^61 cannot overflow.
    static func checkDeclaredType(_ type: TensorType, of value: String) throws {
        let what = "value '\(value)' (\(type.dtype.rawValue)\(type.shape.count > 8 ? "" : type.shape.shapeDescription))"
        try CheckedSize.shape(type.shape, what, kind: .invalidArchive)
        _ = try CheckedSize.byteCount(type.shape, type.dtype, what, kind: .invalidArchive)
        let filled = type.shape.map { Swift.max($0, 1) }
        let product = filled.checkedElementCount?.multipliedReportingOverflow(by: type.dtype.byteSize)
        let bytes = product.map { $0.overflow ? Int.max : $0.partialValue } ?? Int.max
        guard bytes <= maxValueBytes else {
            let empty = filled == type.shape ? "" : " if its empty dimensions were 1"
            throw EdgeflowError(.invalidArchive, "\(what) would hold \(MemoryBudget.format(bytes))\(empty), "
                                + "over the \(MemoryBudget.format(maxValueBytes)) limit on one tensor")
        }
    }

    private static func checkStorable(_ node: Node) throws {
        let reserved: Set<String> = [nonFiniteMarkers.positiveInfinity, nonFiniteMarkers.negativeInfinity,
                                     nonFiniteMarkers.nan]
        for (key, value) in node.attributes.values {
            let strings: [String]
            switch value {
            case .string(let text): strings = [text]
            case .strings(let texts): strings = texts
            default: continue
            }
            if let clash = strings.first(where: reserved.contains) {
                throw EdgeflowError(.unsupported,
                    "node '\(node.name)' parameter '\(key)' is the string \"\(clash)\", which graph.json "
                        + "reserves for a non-finite float")
            }
        }
    }

    private func checkRedundantTypes(of layer: Layer) throws {
        guard layer.inputShapes.count == layer.inputs.count, layer.inputDTypes.count == layer.inputs.count,
              layer.outputShapes.count == layer.outputs.count, layer.outputDTypes.count == layer.outputs.count else {
            throw EdgeflowError(.invalidArchive, "layer '\(layer.name)' lists a different number of shapes or "
                + "dtypes than of inputs or outputs")
        }
        let listed = zip(layer.inputs, zip(layer.inputShapes, layer.inputDTypes)).map { ($0, $1.0, $1.1) }
            + zip(layer.outputs, zip(layer.outputShapes, layer.outputDTypes)).map {
                ($0, Optional($1.0), Optional($1.1))
            }
        for (value, shape, dtype) in listed where !value.isEmpty {
            guard let type = values[value] else {
                throw EdgeflowError(.invalidArchive, "layer '\(layer.name)' uses value '\(value)', which has no "
                    + "entry in values")
            }
            guard shape == type.shape, dtype == type.dtype else {
                throw EdgeflowError(.invalidArchive,
                    "layer '\(layer.name)' lists '\(value)' as "
                        + "\(dtype?.rawValue ?? "?")\(shape?.shapeDescription ?? "?") but values types it \(type)")
            }
        }
    }
}
