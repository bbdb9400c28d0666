// Running noise statistics of one tensor compared with its float reference over the samples:
// the sums behind the SNR (Σ x_fp², Σ (x̂ − x_fp)²), the cosine of each sample, the per-channel
// mean error, the u8 code histogram and saturation, the largest error, and a bounded, evenly
// strided sample of (x_fp, x̂) pairs. Pairs with a NaN or ±∞ on either side are counted, not used.

import Foundation

/// Noise statistics of one tensor (a layer's output or a model output) over samples.
struct NoiseAccumulator {
    /// Channels along the channel axis and elements per channel step (the product of later axes).
    let channels: Int
    let inner: Int
    private(set) var signal = 0.0
    private(set) var noise = 0.0
    /// One cosine per sample added.
    private(set) var cosines: [Double] = []
    private var biasSums: [Double]
    private var biasCounts: [Int]
    /// Occurrences of each u8 code (empty for a float output).
    private(set) var histogram: [Int]
    /// u8 outputs: finite x_fp outside the representable range.
    private(set) var saturated = 0
    /// Finite pairs seen.
    private(set) var elements = 0
    private(set) var nonFinite = 0
    private(set) var maxAbsError = 0.0
    private(set) var points = NoisePoints()

    /// - Parameters: `shape` of one sample's tensor, `axis` its channel axis (ignored for rank 0),
    ///   `codes` whether the output is u8 (a histogram is kept).
    init(shape: [Int], axis: Int, codes: Bool) {
        let valid = axis >= 0 && axis < shape.count
        channels = valid ? max(shape[axis], 1) : 1
        inner = valid ? max(shape[(axis + 1)...].reduce(1, *), 1) : max(shape.reduce(1, *), 1)
        biasSums = [Double](repeating: 0, count: channels)
        biasCounts = [Int](repeating: 0, count: channels)
        histogram = codes ? [Int](repeating: 0, count: 256) : []
    }

    /// Adds one sample.
    /// - Parameters:
    ///   - float: x_fp; `quantized`: x̂, the same count.
    ///   - codes: the u8 codes x̂ came from, or nil for a float output.
    ///   - representable: the u8 output's real range, or nil.
    ///   - pointBudget: at most this many pairs of this sample join `points`.
    mutating func add(float: UnsafeBufferPointer<Float>, quantized: UnsafeBufferPointer<Float>,
                      codes: UnsafeBufferPointer<UInt8>? = nil, representable: ClosedRange<Float>? = nil,
                      pointBudget: Int = 0) {
        let count = min(float.count, quantized.count)
        var dot = 0.0, normF = 0.0, normQ = 0.0
        let stride = pointBudget > 0 ? max(1, count / pointBudget) : Int.max
        for i in 0..<count {
            let f = float[i], q = quantized[i]
            guard f.isFinite, q.isFinite else { nonFinite += 1; continue }
            let (fd, qd) = (Double(f), Double(q)), error = qd - fd
            signal += fd * fd
            noise += error * error
            dot += fd * qd
            normF += fd * fd
            normQ += qd * qd
            maxAbsError = max(maxAbsError, abs(error))
            let channel = (i / inner) % channels
            biasSums[channel] += error
            biasCounts[channel] += 1
            elements += 1
            if let representable, !representable.contains(f) { saturated += 1 }
            if i % stride == 0, i / stride < pointBudget {
                points.float.append(f)
                points.quantized.append(q)
            }
        }
        if let codes, !histogram.isEmpty {
            for code in codes { histogram[Int(code)] += 1 }
        }
        cosines.append(Self.cosine(dot: dot, normA: normF, normB: normQ))
    }

    /// dot / (‖a‖·‖b‖); 1 when both are zero, 0 when only one is.
    static func cosine(dot: Double, normA: Double, normB: Double) -> Double {
        if normA == 0 && normB == 0 { return 1 }
        if normA == 0 || normB == 0 { return 0 }
        return dot / (normA.squareRoot() * normB.squareRoot())
    }

    /// The SNR in dB of the sums so far (see `NoiseAnalysis.decibels`).
    var snr: Double { NoiseAnalysis.decibels(signal: signal, noise: noise) }

    /// The per-channel mean error with the largest magnitude, and its channel (0, 0 when empty).
    var largestChannelBias: (bias: Double, channel: Int) {
        var best = (bias: 0.0, channel: 0)
        for c in 0..<channels where biasCounts[c] > 0 {
            let mean = biasSums[c] / Double(biasCounts[c])
            if abs(mean) > abs(best.bias) { best = (mean, c) }
        }
        return best
    }

    /// Fraction of codes at 0 or 255 (nil for a float output or no codes).
    var clipRate: Double? {
        let total = histogram.reduce(0, +)
        guard !histogram.isEmpty, total > 0 else { return nil }
        return Double(histogram[0] + histogram[255]) / Double(total)
    }

    /// Codes that occurred (nil for a float output).
    var codesUsed: Int? { histogram.isEmpty ? nil : histogram.filter { $0 > 0 }.count }

    /// Fraction of finite x_fp outside the representable range (nil for a float output).
    var saturationRate: Double? {
        histogram.isEmpty ? nil : elements > 0 ? Double(saturated) / Double(elements) : 0
    }
}
