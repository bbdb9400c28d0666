// The largest magnitude of a float tensor per channel over the calibration samples (all other
// axes pooled), the activation statistic of SmoothQuant: max|X_j| of each input channel j of a
// matMul.

import EFCore

/// Running per-channel max |x| of one float32 tensor.
public struct ChannelPeaks: Sendable {
    /// The channel axis of the observed tensor.
    public let axis: Int
    /// max |x| per channel (0 before any sample; non-finite values are skipped).
    public private(set) var peaks: [Float]

    /// - Parameters: `channels` the size of `axis`.
    public init(axis: Int, channels: Int) {
        self.axis = axis
        peaks = [Float](repeating: 0, count: channels)
    }

    /// Adds one sample of `shape` (its `axis` must have `channels` entries).
    public mutating func observe(_ values: UnsafeBufferPointer<Float>, shape: [Int]) {
        guard axis < shape.count, shape[axis] == peaks.count, !peaks.isEmpty else { return }
        let inner = shape[(axis + 1)...].reduce(1, *), channels = peaks.count
        for (i, v) in values.enumerated() where v.isFinite {
            let c = (i / inner) % channels
            peaks[c] = Swift.max(peaks[c], abs(v))
        }
    }
}
