// Sensitivity-driven mixed precision: when the fully quantized model's outputs fall below a
// target cosine similarity to the float model on held-back samples, rank the int8 layers by how
// much quantizing each one alone costs (output cosine with only that layer in int8), then promote
// the most sensitive layers, worst first, until the target holds. Each promoted layer takes the
// first of the allowed promotions (a16_w8 — about twice an int8 layer's work — and bf16 by default
// order) whose loss alone is small enough, measured as each layer comes up, else float (NNCF's
// accuracy control and Hailo's mixed-precision search, with graded promotions).

import EFCompiler
import EFCore
import EFIR
import EFRuntime

/// A layer the search promoted out of a8_w8.
public struct PromotedLayer: Codable, Equatable, Sendable {
    public var layer: String
    /// a16_w8, bf16 or float.
    public var precision: LayerPrecision
    /// Mean output cosine over the held-back samples with only this layer in int8.
    public var cosineAlone: Double
    /// The same with only this layer quantized, as a16_w8 (nil where a16_w8 was not tried).
    public var cosineAloneWide: Double?
    /// The same with only this layer in bf16, the rest float (nil where bf16 was not tried).
    public var cosineAloneBFloat16: Double?
    /// Its multiply-accumulates per run.
    public var macs: Int

    public init(layer: String, precision: LayerPrecision, cosineAlone: Double, cosineAloneWide: Double?,
                cosineAloneBFloat16: Double? = nil, macs: Int) {
        (self.layer, self.precision, self.cosineAlone, self.macs) = (layer, precision, cosineAlone, macs)
        (self.cosineAloneWide, self.cosineAloneBFloat16) = (cosineAloneWide, cosineAloneBFloat16)
    }

    /// Reports written before a16_w8 existed promoted to float only and have no `precision`.
    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init(layer: try c.decode(String.self, forKey: .layer),
                  precision: try c.decodeIfPresent(LayerPrecision.self, forKey: .precision) ?? .float,
                  cosineAlone: try c.decode(Double.self, forKey: .cosineAlone),
                  cosineAloneWide: try c.decodeIfPresent(Double.self, forKey: .cosineAloneWide),
                  cosineAloneBFloat16: try c.decodeIfPresent(Double.self, forKey: .cosineAloneBFloat16),
                  macs: try c.decode(Int.self, forKey: .macs))
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
    /// Share of the int8 layers' MACs now in bf16; nil in reports written before bf16 promotions.
    public var bfloat16MACShare: Double?
    /// The promotions' cost measured on the CPU that quantized (`QuantizerOptions.measureSpeedCost`);
    /// nil when not measured.
    public var speedCost: SpeedCost?
    /// Why the speed cost was not measured, when it was asked for.
    public var speedCostNote: String?
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

    /// The mean output cosine (lowest over outputs) of the graph quantized with `choices`, with
    /// the layers named in `bfloat16` computed as bf16 (`BFloat16Simulation`).
    func cosine(_ choices: [Int: Int8Choice], bfloat16: Set<String> = [],
                ranges: [String: ActivationQuantization]) throws -> Double {
        var rewrite = Int8Rewrite(graph, choices: choices, ranges: ranges)
        let measured = BFloat16Simulation.apply(try rewrite.run(), layers: bfloat16)
        let context = ExecutionContext(program: try Compiler.compile(measured).program)
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

    /// Promotes layers of `choices` until the target holds (or none are left): to the first of
    /// `promotions` (a16_w8: their variant in `wide`, same node indices; bf16) whose loss alone is
    /// small enough (`suffices`), else to float. float in `promotions` ends the list.
    /// - Returns: the int8 layers left, the layers (node names) promoted to bf16, and the result.
    func search(_ choices: [Int: Int8Choice], wide: [Int: Int8Choice], ranges: [String: ActivationQuantization],
                target: Double, promotions: [LayerPrecision] = [.a16w8, .float], progress: ((String) -> Void)?)
        throws -> (choices: [Int: Int8Choice], bfloat16: Set<String>, result: SensitivityResult) {
        let before = try cosine(choices, ranges: ranges)
        var result = SensitivityResult(targetCosine: target, heldBackSamples: heldBack.count, cosineBefore: before,
                                       cosineAfter: before, promoted: [], promotedMACShare: 0)
        guard before < target else { return (choices, [], result) }
        var alone: [(index: Int, cosine: Double)] = []
        for (done, index) in choices.keys.sorted().enumerated() {
            alone.append((index, try cosine([index: choices[index]!], ranges: ranges)))
            progress?("sensitivity \(done + 1)/\(choices.count)")
        }
        let macs = Dictionary(uniqueKeysWithValues: choices.keys.map { ($0, MacCount.of(graph.nodes[$0], graph)) })
        var remaining = choices, bfloat16 = Set<String>()
        for (index, cosineAlone) in alone.sorted(by: { $0.cosine < $1.cosine }) {
            let name = graph.nodes[index].name
            var promoted = PromotedLayer(layer: name, precision: .float, cosineAlone: cosineAlone,
                                         cosineAloneWide: nil, macs: macs[index] ?? 0)
            // Measured only for the layers that get promoted: the ranking needs the a8_w8 cosine alone.
            for candidate in promotions {
                if candidate == .float { break }
                var measured: Double?
                if candidate == .a16w8, let choice = wide[index] {
                    measured = try cosine([index: choice], ranges: ranges)
                    promoted.cosineAloneWide = measured
                } else if candidate == .bf16 {
                    measured = try cosine([:], bfloat16: [name], ranges: ranges)
                    promoted.cosineAloneBFloat16 = measured
                }
                if let measured, Self.suffices(alone: cosineAlone, promoted: measured, target: target) {
                    promoted.precision = candidate
                    break
                }
            }
            remaining[index] = promoted.precision == .a16w8 ? wide[index] : nil
            if promoted.precision == .bf16 { bfloat16.insert(name) }
            result.promoted.append(promoted)
            result.cosineAfter = try cosine(remaining, bfloat16: bfloat16, ranges: ranges)
            progress?("\(name) to \(promoted.precision.rawValue): cosine \(result.cosineAfter)")
            if result.cosineAfter >= target { break }
        }
        let total = Double(max(macs.values.reduce(0, +), 1))
        func share(_ precision: LayerPrecision) -> Double {
            Double(result.promoted.filter { $0.precision == precision }.map(\.macs).reduce(0, +)) / total
        }
        result.promotedMACShare = share(.float)
        result.wideMACShare = share(.a16w8)
        result.bfloat16MACShare = share(.bf16)
        return (remaining, bfloat16, result)
    }

    /// Whether a promotion is enough for a layer: its loss alone in the promoted precision
    /// (1 − cosine) is at most a quarter of its loss in a8_w8 and at most a quarter of the whole
    /// model's budget 1 − target; otherwise the layer goes further (in the end to float). For
    /// a16_w8 this says the activations, not the s8 weights, were the problem.
    static func suffices(alone: Double, promoted: Double, target: Double) -> Bool {
        1 - promoted <= min(1 - alone, 1 - target) / 4
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
