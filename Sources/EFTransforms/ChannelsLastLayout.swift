// The layout choice: oneDNN's direct convolutions (jit:avx2, brgconv) want channels-last
// activations, so 4-D conv regions are rewritten to NHWC. Convs, convTransposes and pools
// get `channelsLast` = 1; unary, binary (constants transposed), resize, concat on channels,
// pad and global reductions follow their input's layout; a transpose NHWC → NCHW of a value
// becomes a channels-last view of the same bytes (and NCHW → NHWC of a channels-last value a
// plain alias), as at the NHWC inputs and outputs of imported TFLite graphs; everything else
// reads NCHW. A transpose
// is inserted where a value is needed in the other layout (a reshape when that moves no bytes),
// and graph outputs keep their names and NCHW layout.

import EFCore
import EFIR
import EFKernels

enum ChannelsLastLayout {
    /// Worth it when convolutions dominate: at least four 4-D convs, so the transposes at the
    /// region's edges are paid once for many faster convs.
    static func pays(_ graph: Graph) -> Bool {
        graph.nodes.filter { $0.op == .conv && graph.types[$0.outputs[0]]?.shape.count == 4 }.count >= 4
    }

    static func apply(_ graph: Graph) throws -> Graph {
        var rewriter = LayoutRewriter(graph)
        for node in graph.nodes { try rewriter.place(node) }
        return try rewriter.finish()
    }
}

private struct LayoutRewriter {
    let source: Graph
    var graph: Graph
    /// Values stored channels-last (their types are [N, H, W, C]).
    var channelsLast: Set<String> = []
    /// Converted copies: "value|nhwc" or "value|nchw" → name.
    var converted: [String: String] = [:]

    init(_ graph: Graph) {
        source = graph
        self.graph = graph
        self.graph.nodes = []
    }

    static let toLast = [0, 2, 3, 1], toFirst = [0, 3, 1, 2]

    mutating func place(_ node: Node) throws {
        var node = node
        let inputs4D = node.inputs.map { !$0.isEmpty && isFloat4D($0) }
        switch node.params {
        case .conv where isFloat4D(node.inputs[0]) && isFloat4D(node.outputs[0]),
             .convTranspose where isFloat4D(node.inputs[0]) && isFloat4D(node.outputs[0]):
            node.inputs[0] = try view(node.inputs[0], last: true)
            if node.op == .conv, node.inputs.count > 3, !node.inputs[3].isEmpty {
                node.inputs[3] = try view(node.inputs[3], last: true)
            }
            try emit(node, channelsLast: true, markNode: true)
        case .pool where node.outputs.count == 1 && channelsLast.contains(node.inputs[0]):
            try emit(node, channelsLast: true, markNode: true)
        case .unary where channelsLast.contains(node.inputs[0]):
            try emit(node, channelsLast: true)
        case .binary where node.inputs.contains(where: channelsLast.contains):
            if let operands = try binaryOperands(node) {
                node.inputs = operands
                try emit(node, channelsLast: true)
            } else {
                try emitChannelsFirst(node)
            }
        case .resize(var resize) where channelsLast.contains(node.inputs[0]):
            guard resize.roi == nil, resize.sizes.count == 4 else { return try emitChannelsFirst(node) }
            resize.sizes = Self.toLast.map { resize.sizes[$0] }
            if let scales = resize.scales, scales.count == 4 { resize.scales = Self.toLast.map { scales[$0] } }
            node.params = .resize(resize)
            try emit(node, channelsLast: true)
        case .concat(axis: 1) where inputs4D.allSatisfy({ $0 }) && node.inputs.contains(where: channelsLast.contains):
            node.inputs = try node.inputs.map { try view($0, last: true) }
            node.params = .concat(axis: 3)
            try emit(node, channelsLast: true)
        case .pad(var pad) where channelsLast.contains(node.inputs[0]) && pad.pads.count == 8:
            pad.pads = Self.toLast.map { pad.pads[$0] } + Self.toLast.map { pad.pads[4 + $0] }
            node.params = .pad(pad)
            try emit(node, channelsLast: true)
        case .transpose(perm: Self.toFirst) where inputs4D[0] && !channelsLast.contains(node.inputs[0]):
            // The NCHW result holds the input's bytes read channels-last: an alias.
            try emit(alias(node), channelsLast: true)
        case .transpose(perm: Self.toLast) where channelsLast.contains(node.inputs[0]):
            try emit(alias(node), channelsLast: false)
        case .reduce(var reduce)
            where channelsLast.contains(node.inputs[0]) && reduce.axes == [2, 3] && reduce.keepDims:
            reduce.axes = [1, 2]
            node.params = .reduce(reduce)
            try emit(node, channelsLast: true)
        default:
            try emitChannelsFirst(node)
        }
    }

    /// `node` (a transpose) as a reshape to its input's own shape: an alias of the same bytes.
    private func alias(_ node: Node) throws -> Node {
        var node = node
        node.params = .reshape(shape: try graph.type(of: node.inputs[0]).shape)
        return node
    }

    /// Emits `node` with every 4-D input converted to NCHW.
    private mutating func emitChannelsFirst(_ node: Node) throws {
        var node = node
        node.inputs = try node.inputs.map { $0.isEmpty ? $0 : try view($0, last: false) }
        try emit(node, channelsLast: false)
    }

    /// The inputs of a channels-last binary: other 4-D values converted, constants of rank ≤ 4
    /// broadcast into NHWC order; nil when an operand cannot follow (runs channels-first).
    private mutating func binaryOperands(_ node: Node) throws -> [String]? {
        guard isFloat4D(node.outputs[0]) else { return nil }
        var result: [String] = []
        for input in node.inputs {
            if isFloat4D(input) {
                result.append(try view(input, last: true))
            } else if let constant = graph.weights[input], constant.rank <= 4 {
                let padded = constant.reshaped([Int](repeating: 1, count: 4 - constant.rank) + constant.shape)
                let name = "\(input)|nhwc"
                if graph.weights[name] == nil {
                    graph.weights[name] = try Kernels.transpose(padded, perm: Self.toLast)
                    graph.types[name] = TensorType(constant.dtype, Self.toLast.map { padded.shape[$0] })
                }
                result.append(name)
            } else {
                return nil
            }
        }
        return result
    }

    /// `value` in the requested layout: itself, or a converted copy made once.
    private mutating func view(_ value: String, last: Bool) throws -> String {
        guard isFloat4D(value), channelsLast.contains(value) != last else { return value }
        let key = "\(value)|\(last ? "nhwc" : "nchw")"
        if let name = converted[key] { return name }
        let type = try graph.type(of: value)
        let perm = last ? Self.toLast : Self.toFirst
        let shape = perm.map { type.shape[$0] }
        // Moving C past H·W = 1 (or C = 1) moves no bytes: a reshape (an alias) is enough.
        let channels = last ? type.shape[1] : type.shape[3]
        let spatial = type.shape[1] * type.shape[2] * type.shape[3] / max(channels, 1)
        let movesNoBytes = channels == 1 || spatial == 1
        let node = movesNoBytes
            ? Node(name: key, .reshape(shape: shape), inputs: [value], outputs: [key])
            : Node(name: key, .transpose(perm: perm), inputs: [value], outputs: [key])
        graph.nodes.append(node)
        graph.types[key] = TensorType(type.dtype, shape)
        if last { channelsLast.insert(key) }
        converted[key] = key
        return key
    }

    private mutating func emit(_ node: Node, channelsLast last: Bool, markNode: Bool = false) throws {
        var node = node
        if markNode {
            switch node.params {
            case .conv(var conv): conv.channelsLast = true; node.params = .conv(conv)
            case .convTranspose(var deconv): deconv.channelsLast = true; node.params = .convTranspose(deconv)
            case .pool(var pool): pool.channelsLast = true; node.params = .pool(pool)
            default: throw EdgeflowError(.internalError, "\(node.op.rawValue) has no channels-last form")
            }
        }
        let types = try ShapeInference.infer(node, inputTypes: node.inputs.map { $0.isEmpty ? nil : graph.types[$0] })
        for (name, type) in zip(node.outputs, types) where !name.isEmpty {
            graph.types[name] = type
            if last && type.shape.count == 4 { channelsLast.insert(name) }
        }
        graph.nodes.append(node)
    }

    private func isFloat4D(_ value: String) -> Bool {
        guard let type = graph.types[value] else { return false }
        return type.shape.count == 4 && type.dtype == .float32
    }

    /// Graph outputs go back to NCHW under their own names.
    mutating func finish() throws -> Graph {
        for output in source.outputs where channelsLast.contains(output) {
            let inner = "\(output)|nhwc-result"
            graph.nodes = graph.nodes.map { node in
                var node = node
                node.inputs = node.inputs.map { $0 == output ? inner : $0 }
                node.outputs = node.outputs.map { $0 == output ? inner : $0 }
                return node
            }
            graph.types[inner] = graph.types[output]
            channelsLast.remove(output)
            channelsLast.insert(inner)
            converted = converted.filter { $0.key.hasPrefix(output + "|") == false }
            let type = graph.types[inner]!
            graph.nodes.append(Node(name: "\(output)|to-nchw", .transpose(perm: Self.toFirst), inputs: [inner],
                                    outputs: [output]))
            graph.types[output] = TensorType(type.dtype, Self.toFirst.map { type.shape[$0] })
        }
        try Verifier.verify(graph)
        return graph
    }
}
