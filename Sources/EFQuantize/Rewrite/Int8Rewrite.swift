// The rewrite of an fp-optimized graph into the quantized stage: each chosen conv/matMul becomes
// a quantizedConv/quantizedMatMul over u8 inputs and s8 weights. Activations stay u8 between
// consecutive int8 layers (a layer writes u8 when every reader that needs it is int8), and float
// boundaries are explicit quantizeLinear/dequantizeLinear nodes, created once per value. Layers
// with a residual input, or an activation other than ReLU/clip, write float (the dequantization
// fused into the product) and the residual add and activation run in float after them.
// An a16_w8 layer reads its input as two u8 planes, the coarse codes and the codes of their
// residual at 1/256 of the scale, runs two int8 products and adds them in float (emitWide); its
// producer writes float, so the residual is not already rounded away.

import EFCore
import EFIR

/// One layer chosen for int8, with the quantization of its input and output values.
struct Int8Choice {
    let layer: QuantizedLayer
    let input: ActivationQuantization
    /// a16_w8 instead of a8_w8.
    var wide = false
}

/// Rewrites a graph given the layers to quantize (by node index).
struct Int8Rewrite {
    private var graph: Graph
    private let choices: [Int: Int8Choice]
    /// Ranges of the float values (for u8 outputs and boundaries).
    private let ranges: [String: ActivationQuantization]
    private var nodes: [Node] = []
    private var twins: [String: String] = [:]
    /// The coarse and fine u8 planes of values a16_w8 layers read (at their own coarse range).
    private var wideTwins: [String: (coarse: String, fine: String)] = [:]
    private var usedNames: UniqueNames
    private var readers: [String: [(node: Int, position: Int)]] = [:]
    private(set) var outputs: [String: ActivationQuantization] = [:]

    init(_ graph: Graph, choices: [Int: Int8Choice], ranges: [String: ActivationQuantization]) {
        self.graph = graph
        self.choices = choices
        self.ranges = ranges
        usedNames = UniqueNames(firstSuffix: 2)
        usedNames.formUnion(graph.types.keys)
        usedNames.formUnion(graph.nodes.map(\.name))
        for (index, node) in graph.nodes.enumerated() {
            for (position, name) in node.inputs.enumerated() where !name.isEmpty {
                readers[name, default: []].append((index, position))
            }
        }
    }

    /// Whether an int8 layer reads `value` as its quantized input and no a16_w8 layer reads it
    /// (that one needs the float value, unrounded).
    private func neededAsU8(_ value: String) -> Bool {
        let quantizedReaders = readers[value, default: []].filter { choices[$0.node] != nil && $0.position == 0 }
        return !quantizedReaders.isEmpty && !quantizedReaders.contains { choices[$0.node]!.wide }
    }

    /// Whether something reads `value` as float (a float node, a residual input, a graph output,
    /// an a16_w8 layer).
    private func neededAsFloat(_ value: String) -> Bool {
        graph.outputs.contains(value) || readers[value, default: []].contains {
            choices[$0.node] == nil || choices[$0.node]!.wide || $0.position != 0
        }
    }

    /// The quantized graph (stage `.quantized`).
    /// - Throws: `EdgeflowError` when a rewritten node does not type-check (a bug).
    mutating func run() throws -> Graph {
        for (index, node) in graph.nodes.enumerated() {
            guard let choice = choices[index] else { nodes.append(node); continue }
            try emit(node, choice)
        }
        graph.nodes = nodes
        graph.stage = .quantized
        let used = Set(nodes.flatMap(\.inputs))
        graph.weights = graph.weights.filter { used.contains($0.key) }
        let produced = Set(nodes.flatMap(\.outputs)).union(graph.inputs).union(graph.weights.keys)
        graph.types = graph.types.filter { produced.contains($0.key) }
        try Verifier.verify(graph)
        return graph
    }

    private mutating func emit(_ node: Node, _ choice: Int8Choice) throws {
        if choice.wide { return try emitWide(node, choice) }
        let x = try quantizedTwin(of: node.inputs[0], choice.input)
        let y = node.outputs[0]
        let residual = Self.residual(of: node)
        let activation = node.params.fusedActivation
        let outputQuantization = ranges[y]
        let writesU8 = neededAsU8(y) && residual == nil
        let w = addWeight(choice.layer.weights.values, "\(node.inputs[1])::s8")
        let bias = choice.layer.bias.map { addWeight($0, "\(node.name)::bias_i32") } ?? ""
        if writesU8, let q = outputQuantization, let (lower, upper) = codes(for: activation, q),
           let multipliers = try? choice.layer.multipliers(input: choice.input, output: q) {
            let m = addWeight(multipliers, "\(node.name)::multipliers")
            let yq = fresh("\(y)::u8")
            try append(node.name, params(node, zeroPoint: choice.input.zeroPoint,
                                         output: .uint8(zeroPoint: q.zeroPoint, lower: lower, upper: upper)),
                       [x, w, bias, m], yq, from: node.originalNames)
            twins[y] = yq
            outputs[node.name] = q
            if neededAsFloat(y) {
                let (scale, zero) = parameterWeights(y, q)
                try append(fresh("\(node.name)/dequantize"), .dequantizeLinear(QuantizeOp(outputDType: nil)),
                           [yq, scale, zero], y)
            }
            return
        }
        let m = addWeight(try choice.layer.multipliers(input: choice.input, output: nil), "\(node.name)::scales")
        // Only clamps stay fused into a float output: any other activation is a float island of
        // its own, run by the same SIMD kernel in the emulator and the executable (numerics.md).
        let fusedHere = residual == nil && activation.map(Self.isClamp) ?? true ? activation : nil
        let hasTail = residual != nil || fusedHere != activation
        let product = hasTail ? fresh("\(y)::product") : y
        try append(node.name, params(node, zeroPoint: choice.input.zeroPoint, output: .float32(activation: fusedHere)),
                   [x, w, bias, m], product, from: node.originalNames)
        try appendTail(node, product, residual: residual, activation: fusedHere == nil ? activation : nil)
    }

    /// An a16_w8 layer: x ≈ s·(c − z) + s/256·(f − 128) with c = q(x; s, z) and f = q(x − s·(c − z);
    /// s/256, 128), both u8; the two int8 products (the coarse one with the bias, the fine one with
    /// the bias remainder) are added in float, then the residual and the activation follow.
    private mutating func emitWide(_ node: Node, _ choice: Int8Choice) throws {
        let fineQuantization = choice.input.finePlane
        let (coarse, fine) = try widePlanes(of: node.inputs[0], choice.input)
        let y = node.outputs[0]
        let w = addWeight(choice.layer.weights.values, "\(node.inputs[1])::s8")
        let bias = choice.layer.bias.map { addWeight($0, "\(node.name)::bias_i32") } ?? ""
        let fineBias = choice.layer.fineBias.map { addWeight($0, "\(node.name)::fine_bias_i32") } ?? ""
        let coarseScales = try choice.layer.multipliers(input: choice.input, output: nil)
        let fineScales = try choice.layer.multipliers(input: fineQuantization, output: nil)
        let coarseProduct = fresh("\(y)::coarse_product"), fineProduct = fresh("\(y)::fine_product")
        try append(node.name, params(node, zeroPoint: choice.input.zeroPoint, output: .float32(activation: nil)),
                   [coarse, w, bias, addWeight(coarseScales, "\(node.name)::scales")], coarseProduct,
                   from: node.originalNames)
        try append(fresh("\(node.name)/fine"), params(node, zeroPoint: 128, output: .float32(activation: nil)),
                   [fine, w, fineBias, addWeight(fineScales, "\(node.name)::fine_scales")], fineProduct)
        let residual = Self.residual(of: node)
        let activation = node.params.fusedActivation
        let sum = residual != nil || activation != nil ? fresh("\(y)::product") : y
        try append(fresh("\(node.name)/sum"), .binary(.add), [coarseProduct, fineProduct], sum)
        try appendTail(node, sum, residual: residual, activation: activation)
    }

    /// The float steps after a product: the residual add, then the activation, ending in the
    /// node's output.
    private mutating func appendTail(_ node: Node, _ product: String, residual: String?,
                                     activation: FusedActivation?) throws {
        let y = node.outputs[0]
        var current = product
        if let residual {
            current = activation == nil ? y : fresh("\(y)::sum")
            try append(fresh("\(node.name)/residual"), .binary(.add), [product, residual], current)
        }
        if let activation {
            try append(fresh("\(node.name)/activation"), .unary(UnaryOp(activation.fn, activation.constants)),
                       [current], y)
        }
    }

    /// The residual input (4th) of a fused conv/matMul, nil without one.
    private static func residual(of node: Node) -> String? {
        node.inputs.count > 3 && !node.inputs[3].isEmpty ? node.inputs[3] : nil
    }

    /// ReLU and clip: activations the integer contract applies exactly (as a clamp).
    static func isClamp(_ activation: FusedActivation) -> Bool {
        activation.fn == .relu || activation.fn == .clip
    }

    /// The u8 twin of a float value, made by a quantizeLinear the first time it is needed.
    private mutating func quantizedTwin(of value: String, _ q: ActivationQuantization) throws -> String {
        if let twin = twins[value] { return twin }
        let twin = fresh("\(value)::u8")
        let (scale, zero) = parameterWeights(value, q)
        try append(fresh("\(value)/quantize"), .quantizeLinear(QuantizeOp(outputDType: .uint8)), [value, scale, zero],
                   twin)
        twins[value] = twin
        return twin
    }

    /// The coarse u8 codes of `value` at `q` and the u8 codes of what they leave at the fine
    /// plane's scale (made once per value: every a16_w8 reader has the same wide range).
    private mutating func widePlanes(of value: String, _ q: ActivationQuantization) throws
        -> (coarse: String, fine: String) {
        if let planes = wideTwins[value] { return planes }
        let (scale, zero) = parameterWeights(value, q)
        let coarse = fresh("\(value)::coarse_u8"), restored = fresh("\(value)::coarse")
        let rest = fresh("\(value)::residual"), twin = fresh("\(value)::fine_u8")
        try append(fresh("\(value)/quantize_coarse"), .quantizeLinear(QuantizeOp(outputDType: .uint8)),
                   [value, scale, zero], coarse)
        try append(fresh("\(value)/dequantize_coarse"), .dequantizeLinear(QuantizeOp(outputDType: nil)),
                   [coarse, scale, zero], restored)
        try append(fresh("\(value)/residual"), .binary(.sub), [value, restored], rest)
        let (fineScale, fineZero) = parameterWeights(value, q.finePlane)
        try append(fresh("\(value)/quantize_fine"), .quantizeLinear(QuantizeOp(outputDType: .uint8)),
                   [rest, fineScale, fineZero], twin)
        wideTwins[value] = (coarse, twin)
        return (coarse, twin)
    }

    /// The clamp codes a fused activation leaves on a u8 output (nil: it cannot run in integers).
    private func codes(for activation: FusedActivation?, _ q: ActivationQuantization?) -> (Int32, Int32)? {
        guard let q else { return nil }
        func code(_ real: Float) -> Int32 {
            let c = (Double(real) / Double(q.scale)).rounded(.toNearestOrEven) + Double(q.zeroPoint)
            return Int32(Swift.min(Swift.max(c, 0), 255))
        }
        guard let activation else { return (0, 255) }
        switch activation.fn {
        case .relu: return (q.zeroPoint, 255)
        case .clip:
            let (lower, upper) = (code(activation.alpha), code(activation.beta))
            return lower <= upper ? (lower, upper) : nil
        default: return nil
        }
    }

    private func params(_ node: Node, zeroPoint: Int32, output: QuantizedOutput) throws -> OpParameters {
        switch node.params {
        case .conv(let p):
            return .quantizedConv(QuantizedConvOp(window: p.window, channelsLast: p.channelsLast,
                                                  inputZeroPoint: zeroPoint, output: output))
        case .matMul:
            return .quantizedMatMul(QuantizedMatMulOp(inputZeroPoint: zeroPoint, output: output))
        default:
            throw EdgeflowError(.internalError, "node '\(node.name)' (\(node.op.rawValue)) cannot be quantized")
        }
    }

    private mutating func parameterWeights(_ value: String, _ q: ActivationQuantization) -> (String, String) {
        (addWeight(Tensor(scalar: q.scale), "\(value)::scale"),
         addWeight(Tensor(scalar: UInt8(q.zeroPoint)), "\(value)::zero_point"))
    }

    private mutating func append(_ name: String, _ params: OpParameters, _ inputs: [String], _ output: String,
                                 from source: [String] = []) throws {
        let node = Node(name: name, params, inputs: inputs, outputs: [output], originalNames: source)
        let inputTypes = try inputs.map { $0.isEmpty ? nil : try graph.type(of: $0) }
        let types = try OpShapes.infer(OpInstance(params, outputCount: 1), inputTypes: inputTypes,
                                       outputNames: [output])
        graph.types[output] = types[0]
        nodes.append(node)
    }

    private mutating func addWeight(_ tensor: Tensor, _ base: String) -> String {
        let name = fresh(base)
        graph.weights[name] = tensor
        graph.types[name] = TensorType(tensor.dtype, tensor.shape)
        return name
    }

    private mutating func fresh(_ base: String) -> String {
        usedNames.fresh(base)
    }
}
