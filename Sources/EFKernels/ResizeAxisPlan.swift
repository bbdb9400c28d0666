// Resize along one axis: maps every output index to an input coordinate (the coordinate
// transformation modes) and from there to taps — input indices and weights for linear and cubic
// (with antialias and exclude_outside), or one index for nearest. Resize is separable, so the
// N-d op applies one such plan per axis. The arithmetic is in Double, as ONNX's reference does.

import EFCore
import Foundation

/// The taps of one axis: for output index o, `indices[o*width ..< (o+1)*width]` and the weights
/// beside them; `extrapolated[o]` marks outputs that take the extrapolation value instead.
struct ResizeAxisPlan {
    let width: Int
    var indices: [Int] = []
    var weights: [Double] = []
    var extrapolated: [Bool] = []

    /// - Parameters: inputSize/outputSize along the axis, its scale, and roi (start, end).
    /// - Throws: `EdgeflowError.invalidInput` when an antialias filter would span more than a
    ///   million taps (a scale below 1e-6) or the taps of the axis would not fit in memory.
    init(_ p: ResizeParameters, inputSize: Int, outputSize: Int, scale: Double, roi: (Double, Double)) throws {
        let filterScale = p.antialias ? min(scale, 1) : 1
        guard filterScale >= 1e-6 else {
            throw EdgeflowError(.invalidInput,
                "resize: antialias with scale \(scale) would need a filter of more than a million taps")
        }
        // Tap offsets relative to the input index left of the coordinate.
        let firstTap: Int
        switch p.mode {
        case .nearest: firstTap = 0; width = 1
        case .linear:
            firstTap = p.antialias ? Int(Foundation.floor(-1 / filterScale)) + 1 : 0
            width = 2 - 2 * firstTap
        case .cubic:
            firstTap = p.antialias ? Int(Foundation.floor(-2 / filterScale)) + 1 : -1
            width = 2 - 2 * firstTap
        }
        guard case let (taps, false) = outputSize.multipliedReportingOverflow(by: width), taps < 1 << 28 else {
            throw EdgeflowError(.invalidInput, "resize: \(outputSize) outputs × \(width) taps along one axis is too many")
        }
        indices.reserveCapacity(outputSize * width)
        weights.reserveCapacity(outputSize * width)
        for o in 0..<outputSize {
            let (coordinate, outside) = Self.sourceCoordinate(p.coordinateMode, output: o, inputSize: inputSize,
                                                     outputSize: outputSize, scale: scale, roi: roi)
            extrapolated.append(outside)
            // Far-away or undefined coordinates clamp to the edge anyway; keep Int conversion safe.
            let x = coordinate.isNaN ? 0 : min(max(coordinate, -1e15), 1e15)
            let floorX = Foundation.floor(x)
            // The reference prefers the pixel left of x: an integral x has ratio 1 to x − 1.
            let ratio = x == floorX ? 1 : x - floorX
            let left = Int(floorX) - (x == floorX ? 1 : 0)
            if p.mode == .nearest {
                let pick = Self.nearestPicksRight(ratio, p.nearestMode, scale: scale) ? left + 1 : left
                indices.append(min(max(pick, 0), inputSize - 1))
                weights.append(1)
                continue
            }
            var row = (0..<width).map { t -> Double in
                let tap = firstTap + t
                switch (p.mode, p.antialias) {
                case (.linear, false): return tap == 0 ? 1 - ratio : ratio
                case (.linear, true): return min(max(1 - abs((Double(tap) - ratio) * filterScale), 0), 1)
                case (.cubic, false): return Self.cubicWeight(tap: tap, ratio: ratio, a: p.cubicCoeffA)
                default: return Self.keysCubic(filterScale * (Double(tap) - ratio), a: p.cubicCoeffA)
                }
            }
            if p.antialias { row = Self.normalized(row) }
            for t in 0..<width {
                let index = left + firstTap + t
                if p.excludeOutside && (index < 0 || index >= inputSize) { row[t] = 0 }
                indices.append(min(max(index, 0), inputSize - 1))
            }
            weights.append(contentsOf: p.excludeOutside ? Self.normalized(row) : row)
        }
    }

    /// The input coordinate of output index `o`, and whether tf_crop_and_resize puts it outside.
    static func sourceCoordinate(_ mode: ResizeCoordinateMode, output o: Int, inputSize: Int, outputSize: Int,
                                 scale: Double, roi: (Double, Double)) -> (Double, Bool) {
        let y = Double(o), inSize = Double(inputSize)
        let outWidth = scale * inSize
        switch mode {
        case .alignCorners:
            return (outWidth == 1 ? 0 : y * (inSize - 1) / (outWidth - 1), false)
        case .asymmetric:
            return (y / scale, false)
        case .tfCropAndResize:
            var x = outWidth == 1 ? (roi.1 - roi.0) * (inSize - 1) / 2
                                  : y * (roi.1 - roi.0) * (inSize - 1) / (outWidth - 1)
            x += roi.0 * (inSize - 1)
            return (x, x < 0 || x > inSize - 1)
        case .pytorchHalfPixel:
            return (outWidth == 1 ? -0.5 : (y + 0.5) / scale - 0.5, false)
        case .halfPixel:
            return ((y + 0.5) / scale - 0.5, false)
        case .halfPixelSymmetric:
            let adjustment = Double(outputSize) / outWidth
            let offset = inSize / 2 * (1 - adjustment)
            return (offset + (y + 0.5) / scale - 0.5, false)
        }
    }

    /// Nearest rounding of a coordinate whose fraction past the left pixel is `ratio` ∈ (0, 1].
    static func nearestPicksRight(_ ratio: Double, _ mode: ResizeNearestMode, scale: Double) -> Bool {
        if ratio == 1 { return true }
        switch mode {
        case .roundPreferFloor: return ratio > 0.5
        case .roundPreferCeil: return ratio >= 0.5
        case .floor: return false
        case .ceil: return true
        case .simple: return scale < 1
        }
    }

    /// The cubic weight of tap −1, 0, 1 or 2 for a coordinate `ratio` past the left pixel, in
    /// the reference's closed forms.
    static func cubicWeight(tap: Int, ratio r: Double, a: Double) -> Double {
        switch tap {
        case -1: return ((a * (r + 1) - 5 * a) * (r + 1) + 8 * a) * (r + 1) - 4 * a
        case 0: return ((a + 2) * r - (a + 3)) * r * r + 1
        case 1: return ((a + 2) * (1 - r) - (a + 3)) * (1 - r) * (1 - r) + 1
        default: return ((a * ((1 - r) + 1) - 5 * a) * ((1 - r) + 1) + 8 * a) * ((1 - r) + 1) - 4 * a
        }
    }

    /// The Keys cubic filter with parameter `a` at `x`.
    static func keysCubic(_ x: Double, a: Double) -> Double {
        let x = abs(x), x2 = x * x, x3 = x2 * x
        if x <= 1 { return (a + 2) * x3 - (a + 3) * x2 + 1 }
        if x < 2 { return a * x3 - 5 * a * x2 + 8 * a * x - 4 * a }
        return 0
    }

    static func normalized(_ row: [Double]) -> [Double] {
        let sum = row.reduce(0, +)
        return sum == 0 ? row : row.map { $0 / sum }
    }
}
