// The parameters of ONNX GridSample as the kernel takes them, and the per-axis sampling plan:
// a normalized grid coordinate becomes input taps (indices) with weights, after the padding
// mode has moved or dropped the coordinates outside the input (the ONNX reference's rules).

import Foundation

/// How GridSample interpolates (ONNX mode; opset 16's bilinear/bicubic are linear/cubic).
public enum GridSampleMode: String, Sendable, CaseIterable {
    case linear, nearest, cubic
}

/// What GridSample reads outside the input (ONNX padding_mode).
public enum GridSamplePadding: String, Sendable, CaseIterable {
    case zeros, border, reflection
}

/// Parameters of `Kernels.gridSample`.
public struct GridSampleParameters: Equatable, Sendable {
    public var mode: GridSampleMode
    public var padding: GridSamplePadding
    /// -1 and 1 are the centers of the corner pixels (else their outer edges).
    public var alignCorners: Bool

    public init(mode: GridSampleMode = .linear, padding: GridSamplePadding = .zeros, alignCorners: Bool = false) {
        self.mode = mode
        self.padding = padding
        self.alignCorners = alignCorners
    }
}

/// The taps of one normalized coordinate along one axis of length `size`: input indices and
/// weights; a tap whose index is nil reads zero (padding zeros outside the input).
struct GridSampleAxis {
    let size: Int
    let parameters: GridSampleParameters
    /// The coordinate range the padding modes reflect or clamp into: [-0.5, size - 0.5], or
    /// [0, size - 1] with align_corners.
    let low: Double, high: Double

    init(size: Int, _ parameters: GridSampleParameters) {
        self.size = size
        self.parameters = parameters
        low = parameters.alignCorners ? 0 : -0.5
        high = parameters.alignCorners ? Double(size - 1) : Double(size) - 0.5
    }

    /// Appends the taps of normalized coordinate `n` to `indices` and `weights`.
    /// `single` narrows the denormalized coordinate as the grid's dtype would (float32 grids).
    func taps(_ n: Double, single: Bool, indices: inout [Int?], weights: inout [Double]) {
        var x = parameters.alignCorners ? (n + 1) / 2 * Double(size - 1) : ((n + 1) * Double(size) - 1) / 2
        if single { x = Double(Float(x)) }
        if parameters.mode == .nearest { x = x.rounded(.toNearestOrEven) }
        if x.isNaN {
            x = low - 1  // a NaN position samples as outside the input
        }
        if x < low || x > high {
            switch parameters.padding {
            case .zeros: break
            case .border: x = min(max(x, 0), Double(size - 1))
            case .reflection: x = reflect(x)
            }
        }
        switch parameters.mode {
        case .nearest:
            indices.append(index(x.rounded(.towardZero)))
            weights.append(1)
        case .linear:
            let x0 = x.rounded(.down), t = x - x0
            for (k, w) in [1 - t, t].enumerated() {
                indices.append(index(x0 + Double(k)))
                weights.append(w)
            }
        case .cubic:
            let x0 = x.rounded(.down)
            for (k, w) in Self.cubicWeights(x - x0).enumerated() {
                indices.append(index(x0 + Double(k - 1)))
                weights.append(w)
            }
        }
    }

    /// The input index of integral coordinate `i` under the padding mode; nil reads zero.
    private func index(_ i: Double) -> Int? {
        guard i.isFinite else { return nil }
        switch parameters.padding {
        case .zeros:
            return i >= 0 && i < Double(size) ? Int(i) : nil
        case .border:
            return Int(min(max(i, 0), Double(size - 1)))
        case .reflection:
            return Int(min(max(reflect(i).rounded(.towardZero), 0), Double(size - 1)))
        }
    }

    /// Reflects `x` at `low` and `high` until it lies between them (a zero-width range gives low).
    private func reflect(_ x: Double) -> Double {
        let range = high - low
        guard range > 0 else { return low }
        guard x.isFinite else { return x < low ? low : high }
        guard x < low || x > high else { return x }
        let distance = x < low ? low - x : x - high
        let flips = (distance / range).rounded(.towardZero)
        let rest = distance - flips * range
        let even = flips.truncatingRemainder(dividingBy: 2) == 0
        if x < low { return even ? low + rest : high - rest }
        return even ? high - rest : low + rest
    }

    /// Keys' cubic convolution weights (A = -0.75) of the taps at -1, 0, 1, 2 for fraction `t`.
    private static func cubicWeights(_ t: Double) -> [Double] {
        let a = -0.75
        func near(_ x: Double) -> Double { ((a + 2) * x - (a + 3)) * x * x + 1 }
        func far(_ x: Double) -> Double { ((a * x - 5 * a) * x + 8 * a) * x - 4 * a }
        return [far(t + 1), near(t), near(1 - t), far(2 - t)]
    }
}
