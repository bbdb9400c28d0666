// The mean of a float tensor per channel over the calibration samples (all other axes
// averaged), the input statistic of bias correction: the mean output shift that quantizing a
// layer's weights causes is Σ_k (ŵ − w)[c, k] · E[x_k].

import EFCore

/// Running per-channel means of one float32 tensor.
public struct ChannelMeans: Sendable {
    /// The channel axis of the observed tensor.
    public let axis: Int
    private var sums: [Double]
    private var counts = 0

    /// - Parameters: `channels` the size of `axis`.
    public init(axis: Int, channels: Int) {
        self.axis = axis
        sums = [Double](repeating: 0, count: channels)
    }

    /// Adds one sample of `shape` (its `axis` must have `channels` entries).
    public mutating func observe(_ values: UnsafeBufferPointer<Float>, shape: [Int]) {
        guard axis < shape.count, shape[axis] == sums.count, !sums.isEmpty else { return }
        let inner = shape[(axis + 1)...].reduce(1, *), channels = sums.count
        var local = [Double](repeating: 0, count: channels)
        for (i, v) in values.enumerated() where v.isFinite { local[(i / inner) % channels] += Double(v) }
        for c in 0..<channels { sums[c] += local[c] }
        counts += values.count / channels
    }

    /// The means (zeros before any sample).
    public var means: [Float] { sums.map { counts > 0 ? Float($0 / Double(counts)) : 0 } }
}
