// SmoothQuant (Xiao et al.) for the linear layers after a LayerNorm (QKV, FC1): an outlier
// channel j of the LayerNorm's output makes the per-tensor u8 scale of every matMul reading it
// coarse. Per channel, s_j = max|X_j|^α / max|W_j|^(1−α) (max|X_j| from a calibration pass,
// max|W_j| over row j of every reader's weights); γ_j and β_j of the LayerNorm are divided by s_j
// and row j of each reader's weights multiplied by s_j. (x̂ · γ/s + β/s) · (s · W) equals
// (x̂ · γ + β) · W, so the float function is unchanged, while the activation outliers move into
// the weights, whose scales are per output channel. Applies where every reader of the
// LayerNorm's output is a matMul with its own constant [C, N] weights and the LayerNorm
// normalizes the last axis only with its own constant γ (and β) of C values.
// Where the output has other readers too (a post-LN transformer such as BERT, whose LayerNorm
// output is also the next residual), γ and β stay and a float multiply by 1/s_j is inserted
// on the branch to the matMuls only, so the other readers see the unchanged values.

import EFCore
import EFIR
import Foundation

/// SmoothQuant of LayerNorm → matMul sites.
public enum SmoothQuant {
    /// One LayerNorm and the matMuls (node indices) reading its output.
    struct Site {
        var layerNorm: Int
        var matMuls: [Int]
        /// The output has readers other than `matMuls`: insert a multiply instead of rescaling γ, β.
        var insertsMultiply = false
    }

    /// Smooths every eligible site of `graph`, measuring max|X_j| on `samples` first.
    /// - Parameters:
    ///   - alpha: migration strength in [0, 1] (0.5 balances activations and weights).
    ///   - floatLayers: matMuls that stay float; a site none of whose matMuls is int8 is left alone.
    /// - Returns: the graph (same nodes, rescaled γ, β and weights) and the matMuls smoothed.
    /// - Throws: errors of running a calibration sample.
    public static func apply(_ graph: Graph, samples: [[String: Tensor]], alpha: Double,
                             floatLayers: Set<String> = [], progress: ((Int, Int) -> Void)? = nil) throws
        -> (graph: Graph, smoothed: [String]) {
        let sites = eligibleSites(graph, floatLayers: floatLayers)
        guard !sites.isEmpty else { return (graph, []) }
        var axes: [String: Int] = [:]
        for site in sites {
            let y = graph.nodes[site.layerNorm].outputs[0]
            axes[y] = (graph.types[y]?.shape.count ?? 1) - 1
        }
        let run = try CalibrationRun.observe(graph, samples: samples, values: axes.keys.sorted(), peakAxes: axes,
                                             progress: progress)
        return apply(graph, peaks: run.channelPeaks.mapValues(\.peaks), alpha: alpha, floatLayers: floatLayers)
    }

    /// Smooths every eligible site whose LayerNorm output has its per-channel max |x| in `peaks`.
    public static func apply(_ graph: Graph, peaks: [String: [Float]], alpha: Double, floatLayers: Set<String> = [])
        -> (graph: Graph, smoothed: [String]) {
        var result = graph, smoothed: [String] = [], inserted: [Int: Node] = [:]
        for site in eligibleSites(graph, floatLayers: floatLayers) {
            let norm = graph.nodes[site.layerNorm]
            let weightNames = site.matMuls.map { graph.nodes[$0].inputs[1] }
            let weights = weightNames.map { graph.weights[$0]! }
            guard let channelPeaks = peaks[norm.outputs[0]], channelPeaks.count == weights[0].shape[0] else { continue }
            let scales = smoothingScales(activationPeaks: channelPeaks, weights: weights, alpha: alpha)
            if site.insertsMultiply {
                let y = norm.outputs[0], scaleName = "\(norm.name)|smooth-quant-scale", smoothedY = "\(y)|smoothed"
                guard graph.weights[scaleName] == nil, graph.types[smoothedY] == nil,
                      let type = graph.types[y] else { continue }
                let inverse = Tensor(shape: [scales.count], scalars: scales.map { Float(1 / $0) })
                result.weights[scaleName] = inverse
                result.types[scaleName] = TensorType(.float32, [scales.count])
                result.types[smoothedY] = type
                inserted[site.layerNorm] = Node(name: "\(norm.name)|smooth-quant", .binary(.mul),
                                                inputs: [y, scaleName], outputs: [smoothedY],
                                                originalNames: norm.originalNames)
                for index in site.matMuls { result.nodes[index].inputs[0] = smoothedY }
            } else {
                let gammaName = norm.inputs[1], betaName = norm.inputs.count > 2 ? norm.inputs[2] : ""
                result.weights[gammaName] = divide(graph.weights[gammaName]!, by: scales)
                if !betaName.isEmpty { result.weights[betaName] = divide(graph.weights[betaName]!, by: scales) }
            }
            for (name, w) in zip(weightNames, weights) {
                let columns = w.shape[1]
                var values = w.scalars(as: Float.self)
                for j in scales.indices where scales[j] != 1 {
                    for i in (j * columns)..<((j + 1) * columns) { values[i] = Float(Double(values[i]) * scales[j]) }
                }
                result.weights[name] = Tensor(shape: w.shape, scalars: values)
            }
            smoothed += site.matMuls.map { graph.nodes[$0].name }
        }
        if !inserted.isEmpty {
            result.nodes = result.nodes.enumerated().flatMap { index, node in
                [node] + (inserted[index].map { [$0] } ?? [])
            }
        }
        return (result, smoothed)
    }

    /// s_j = max|X_j|^α / max|W_j|^(1−α), clamped to [1e-5, 1e5]; 1 for a channel that is zero
    /// on either side.
    static func smoothingScales(activationPeaks: [Float], weights: [Tensor], alpha: Double) -> [Double] {
        var weightPeaks = [Double](repeating: 0, count: activationPeaks.count)
        for w in weights {
            let columns = w.shape[1], values = w.scalars(as: Float.self)
            for (i, v) in values.enumerated() where Double(abs(v)) > weightPeaks[i / columns] {
                weightPeaks[i / columns] = Double(abs(v))
            }
        }
        return zip(activationPeaks, weightPeaks).map { x, w in
            guard x > 0, w > 0, x.isFinite else { return 1 }
            return min(max(pow(Double(x), alpha) / pow(w, 1 - alpha), 1e-5), 1e5)
        }
    }

    private static func divide(_ tensor: Tensor, by scales: [Double]) -> Tensor {
        let values = zip(tensor.scalars(as: Float.self), scales).map { Float(Double($0) / $1) }
        return Tensor(shape: tensor.shape, scalars: values)
    }

    /// LayerNorms over the last axis with their own float32 γ (and β) of C values whose output is
    /// read as input 0 of matMuls with their own float32 [C, N] weights, at least one of them not
    /// in `floatLayers`. When those matMuls are its only readers and it is no graph output, the site
    /// rescales γ and β; otherwise it inserts a multiply before them.
    static func eligibleSites(_ graph: Graph, floatLayers: Set<String>) -> [Site] {
        var readers: [String: [(node: Int, slot: Int)]] = [:]
        for (index, node) in graph.nodes.enumerated() {
            for (slot, input) in node.inputs.enumerated() where !input.isEmpty {
                readers[input, default: []].append((index, slot))
            }
        }
        func ownVector(_ name: String, _ count: Int) -> Bool {
            guard let t = graph.weights[name], t.dtype == .float32, t.count == count else { return false }
            return readers[name]?.count == 1
        }
        var sites: [Site] = []
        for (index, node) in graph.nodes.enumerated() {
            guard case .layerNorm(let p) = node.params, node.inputs.count >= 2,
                  let shape = graph.types[node.outputs[0]]?.shape, let channels = shape.last, channels > 0,
                  p.axis == shape.count - 1 || p.axis == -1,
                  let list = readers[node.outputs[0]], !list.isEmpty else { continue }
            let matMuls = list.filter { reader in
                let matMul = graph.nodes[reader.node]
                guard reader.slot == 0, matMul.op == .matMul, matMul.inputs.count >= 2,
                      let w = graph.weights[matMul.inputs[1]], w.dtype == .float32, w.rank == 2,
                      w.shape[0] == channels else { return false }
                return readers[matMul.inputs[1]]?.count == 1
            }
            guard matMuls.contains(where: { !floatLayers.contains(graph.nodes[$0.node].name) }) else { continue }
            let folds = matMuls.count == list.count && !graph.outputs.contains(node.outputs[0])
                && ownVector(node.inputs[1], channels)
                && (node.inputs.count < 3 || node.inputs[2].isEmpty || ownVector(node.inputs[2], channels))
            sites.append(Site(layerNorm: index, matMuls: matMuls.map(\.node), insertsMultiply: !folds))
        }
        return sites
    }
}
