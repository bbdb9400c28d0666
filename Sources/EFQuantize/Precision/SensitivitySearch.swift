// Sensitivity-driven mixed precision: when the fully quantized model's outputs fall below a
// target cosine similarity to the float model on held-back samples, rank the int8 layers by how
// much quantizing each one alone costs (output cosine with only that layer in int8), then promote
// the most sensitive layers, worst first, to a16_w8 (about twice an int8 layer's work) until the
// target holds, and if every layer is a16_w8 and it still does not, to float, worst first again
// (NNCF's accuracy control and Hailo's mixed-precision search).

import EFCompiler
import EFCore
import EFIR
import EFRuntime

/// A layer the search promoted out of a8_w8.
public struct PromotedLayer: Codable, Equatable, Sendable {
    public var layer: String
    /// a16_w8 or float.
    public var precision: LayerPrecision
    /// Mean output cosine over the held-back samples with only this layer in int8.
    public var cosineAlone: Double
    /// Its multiply-accumulates per run.
    public var macs: Int

    public init(layer: String, precision: LayerPrecision, cosineAlone: Double, macs: Int) {
        (self.layer, self.precision, self.cosineAlone, self.macs) = (layer, precision, cosineAlone, macs)
    }

    /// Reports written before a16_w8 existed promoted to float only and have no `precision`.
    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init(layer: try c.decode(String.self, forKey: .layer),
                  precision: try c.decodeIfPresent(LayerPrecision.self, forKey: .precision) ?? .float,
                  cosineAlone: try c.decode(Double.self, forKey: .cosineAlone), macs: try c.decode(Int.self, forKey: .macs))
    }
}

/// What the search found.
public struct SensitivityResult: Codable, Equatable, Sendable {
    public var targetCosine: Double
    /// Held-back samples the cosines are measured on.
    public var heldBackSamples: Int
    /// Mean output cosine before and after the promotions (the lowest output's mean).
    public var cosineBefore: Double
    public var cosineAfter: Double
    public var promoted: [PromotedLayer]
    /// Share of the int8 layers' MACs that went back to float (the speed cost, before measuring).
    public var promotedMACShare: Double
    /// Share of the int8 layers' MACs now in a16_w8 (each costs about two int8 products); nil in
    /// reports written before a16_w8 existed.
    public var wideMACShare: Double?
}

struct SensitivitySearch {
    let graph: Graph
    let heldBack: [[String: Tensor]]
    private let reference: [[String: Tensor]]

    init(graph: Graph, heldBack: [[String: Tensor]]) throws {
        self.graph = graph
        self.heldBack = heldBack
        let context = ExecutionContext(program: try Compiler.compile(graph).program)
        reference = try heldBack.map { try context.run($0) }
    }

    /// The mean output cosine (lowest over outputs) of the graph quantized with `choices`.
    func cosine(_ choices: [Int: Int8Choice], ranges: [String: ActivationQuantization]) throws -> Double {
        var rewrite = Int8Rewrite(graph, choices: choices, ranges: ranges)
        let context = ExecutionContext(program: try Compiler.compile(try rewrite.run()).program)
        var sums = [String: Double]()
        for (sample, expected) in zip(heldBack, reference) {
            let actual = try context.run(sample)
            for name in graph.outputs {
                guard let a = actual[name], let e = expected[name], a.dtype == .float32 else { continue }
                sums[name, default: 0] += Self.cosine(a.scalars(as: Float.self), e.scalars(as: Float.self))
            }
        }
        return (sums.values.min() ?? Double(heldBack.count)) / Double(max(heldBack.count, 1))
    }

    /// Removes layers from `choices` until the target holds (or none are left).
    func search(_ choices: [Int: Int8Choice], ranges: [String: ActivationQuantization], target: Double,
                progress: ((String) -> Void)?) throws -> ([Int: Int8Choice], SensitivityResult) {
        let before = try cosine(choices, ranges: ranges)
        var result = SensitivityResult(targetCosine: target, heldBackSamples: heldBack.count, cosineBefore: before,
                                       cosineAfter: before, promoted: [], promotedMACShare: 0)
        guard before < target else { return (choices, result) }
        var alone: [(index: Int, cosine: Double)] = []
        for (done, index) in choices.keys.sorted().enumerated() {
            alone.append((index, try cosine([index: choices[index]!], ranges: ranges)))
            progress?("sensitivity \(done + 1)/\(choices.count)")
        }
        let macs = Dictionary(uniqueKeysWithValues: choices.keys.map { ($0, MacCount.of(graph.nodes[$0], graph)) })
        var remaining = choices
        let order = alone.sorted { $0.cosine < $1.cosine }
        passes: for precision in [LayerPrecision.a16w8, .float] {
            for (index, cosineAlone) in order {
                guard let choice = remaining[index] else { continue }
                if precision == .a16w8 {
                    guard !choice.wide, (try? Quantizer.checkWide(choice.layer, choice.input)) != nil else { continue }
                    remaining[index]?.wide = true
                } else {
                    remaining[index] = nil
                }
                let name = graph.nodes[index].name
                result.promoted.removeAll { $0.layer == name }
                result.promoted.append(PromotedLayer(layer: name, precision: precision, cosineAlone: cosineAlone,
                                                     macs: macs[index] ?? 0))
                result.cosineAfter = try cosine(remaining, ranges: ranges)
                progress?("\(name) to \(precision.rawValue): cosine \(result.cosineAfter)")
                if result.cosineAfter >= target { break passes }
            }
        }
        let total = Double(max(macs.values.reduce(0, +), 1))
        func share(_ precision: LayerPrecision) -> Double {
            Double(result.promoted.filter { $0.precision == precision }.map(\.macs).reduce(0, +)) / total
        }
        result.promotedMACShare = share(.float)
        result.wideMACShare = share(.a16w8)
        return (remaining, result)
    }

    static func cosine(_ a: [Float], _ b: [Float]) -> Double {
        var dot = 0.0, na = 0.0, nb = 0.0
        for (x, y) in zip(a, b) {
            dot += Double(x) * Double(y)
            na += Double(x) * Double(x)
            nb += Double(y) * Double(y)
        }
        if na == 0 && nb == 0 { return 1 }
        return dot / max((na * nb).squareRoot(), 1e-300)
    }
}
