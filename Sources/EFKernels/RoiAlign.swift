// ONNX RoiAlign (Mask R-CNN's region pooling): each region of interest is cut into an
// outputHeight × outputWidth grid of bins, each bin averages (or takes the maximum of) a few
// bilinear samples of the feature map, as the ONNX reference and onnxruntime compute them.

import EFCore

/// How RoiAlign pools the samples of one bin (ONNX `mode`).
public enum RoiAlignMode: String, Sendable, CaseIterable {
    case avg, max
}

/// Parameters of `Kernels.roiAlign`.
public struct RoiAlignParameters: Equatable, Sendable {
    public var mode: RoiAlignMode
    public var outputHeight: Int, outputWidth: Int
    /// Samples per bin along each axis; 0 = ceil(region size / bins), which depends on the region.
    public var samplingRatio: Int
    /// Multiplies the region coordinates (the feature map's scale relative to the image).
    public var spatialScale: Double
    /// Shift the scaled corners by -0.5 pixel (opset 16's `half_pixel`); false is opset 10's
    /// `output_half_pixel`, which also widens regions to at least one pixel.
    public var halfPixel: Bool

    public init(mode: RoiAlignMode = .avg, outputHeight: Int = 1, outputWidth: Int = 1, samplingRatio: Int = 0,
                spatialScale: Double = 1, halfPixel: Bool = true) {
        self.mode = mode
        self.outputHeight = outputHeight
        self.outputWidth = outputWidth
        self.samplingRatio = samplingRatio
        self.spatialScale = spatialScale
        self.halfPixel = halfPixel
    }
}

extension Kernels {
    /// The most samples one bin may take along one axis, relative to the feature map's side:
    /// a region that needs more reaches far outside the map (where every sample reads 0).
    static let roiAlignSamplesPerSide = 4
    /// The most samples one bin may take in all (a sampling ratio of 256, or an adaptive grid
    /// over a region 256 bins wide); the taps of one bin are held at once.
    static let roiAlignSamplesPerBin = 1 << 16

    /// Pools `x` [N, C, H, W] (float) over `rois` [R, 4] (x1, y1, x2, y2 in image coordinates,
    /// float) of the images `batchIndices` [R] (integer) into [R, C, outputHeight, outputWidth]
    /// of x's dtype, computed in Double.
    /// - Throws: `EdgeflowError.invalidInput` for shapes that do not fit, a batch index out of
    ///   range, a non-finite region, or a region needing more than `roiAlignSamplesPerSide` × the
    ///   map's side samples per bin side or `roiAlignSamplesPerBin` per bin.
    public static func roiAlign(_ x: Tensor, _ rois: Tensor, _ batchIndices: Tensor,
                                _ p: RoiAlignParameters) throws -> Tensor {
        let shape = try roiAlignShape(x.shape, rois.shape, batchIndices.shape, p)
        guard x.dtype.isFloatingPoint, rois.dtype.isFloatingPoint, batchIndices.dtype.isInteger else {
            throw EdgeflowError(.invalidInput, "roiAlign: x and rois must be float and batch_indices integer, got "
                + "\(x.dtype.rawValue), \(rois.dtype.rawValue), \(batchIndices.dtype.rawValue)")
        }
        let output = try makeOutput(.float64, shape, "roiAlign")
        let (channels, height, width) = (x.shape[1], x.shape[2], x.shape[3])
        guard output.count == 0 || (height > 0 && width > 0) else {
            throw EdgeflowError(.invalidInput,
                                "roiAlign: cannot pool the empty feature map \(x.shape.shapeDescription)")
        }
        if output.count == 0 { return try makeOutput(x.dtype, shape, "roiAlign") }
        let source = x.doubleValues(), corners = rois.doubleValues()
        let images = try batchIndices.intValues("roiAlign batch_indices")
        let values = output.mutableElements(Double.self)
        let bins = p.outputHeight * p.outputWidth
        for r in 0..<shape[0] {
            guard images[r] >= 0, images[r] < x.shape[0] else {
                throw EdgeflowError(.invalidInput, "roiAlign: region \(r) names image \(images[r]) of \(x.shape[0])")
            }
            var region = try RoiAlignRegion(corners: Array(corners[(r * 4)..<(r * 4 + 4)]), index: r,
                                            height: height, width: width, p)
            for bin in 0..<bins {
                region.planBin(bin)
                for c in 0..<channels {
                    let plane = (images[r] * channels + c) * height * width
                    values[(r * channels + c) * bins + bin] = region.pool(source, plane, p.mode)
                }
            }
        }
        return x.dtype == .float64 ? output : try cast(output, to: x.dtype)
    }

    /// The output shape [R, C, outputHeight, outputWidth] of roiAlign.
    /// - Throws: `EdgeflowError.invalidInput` unless x is [N, C, H, W], rois [R, 4] and
    ///   batchIndices [R], and the output size and sampling ratio are positive (ratio ≥ 0).
    public static func roiAlignShape(_ x: [Int], _ rois: [Int], _ batchIndices: [Int],
                                     _ p: RoiAlignParameters) throws -> [Int] {
        guard x.count == 4, rois.count == 2, rois[1] == 4, batchIndices == [rois[0]] else {
            throw EdgeflowError(.invalidInput, "roiAlign: x \(x.shapeDescription), rois \(rois.shapeDescription) and "
                + "batch_indices \(batchIndices.shapeDescription) must be [N, C, H, W], [R, 4] and [R]")
        }
        guard p.outputHeight > 0, p.outputWidth > 0, p.samplingRatio >= 0, p.spatialScale.isFinite else {
            throw EdgeflowError(.invalidInput, "roiAlign: output \(p.outputHeight)×\(p.outputWidth), sampling ratio "
                + "\(p.samplingRatio) and spatial scale \(p.spatialScale) must be positive, ≥ 0 and finite")
        }
        return [rois[0], x[1], p.outputHeight, p.outputWidth]
    }
}

/// One region's bins and the bilinear taps of the samples of the bin being pooled.
private struct RoiAlignRegion {
    let startY: Double, startX: Double, binHeight: Double, binWidth: Double
    let gridY: Int, gridX: Int, height: Int, width: Int, binsPerRow: Int
    /// Per sample of the current bin: four flat offsets into a channel's plane and their
    /// weights (all 0 outside the map).
    var offsets: [Int] = [], weights: [Double] = []

    init(corners: [Double], index: Int, height: Int, width: Int, _ p: RoiAlignParameters) throws {
        let shift = p.halfPixel ? 0.5 : 0
        startX = corners[0] * p.spatialScale - shift
        startY = corners[1] * p.spatialScale - shift
        var regionWidth = corners[2] * p.spatialScale - shift - startX
        var regionHeight = corners[3] * p.spatialScale - shift - startY
        guard startX.isFinite, startY.isFinite, regionWidth.isFinite, regionHeight.isFinite else {
            throw EdgeflowError(.invalidInput, "roiAlign: region \(index) \(corners) is not finite")
        }
        if !p.halfPixel {
            regionWidth = max(regionWidth, 1)
            regionHeight = max(regionHeight, 1)
        }
        binHeight = regionHeight / Double(p.outputHeight)
        binWidth = regionWidth / Double(p.outputWidth)
        gridY = try Self.samples(binHeight, p.samplingRatio, side: height, region: index)
        gridX = try Self.samples(binWidth, p.samplingRatio, side: width, region: index)
        guard gridY * gridX <= Kernels.roiAlignSamplesPerBin else {
            throw EdgeflowError(.invalidInput, "roiAlign: region \(index) needs \(gridY)×\(gridX) samples per bin, "
                + "more than \(Kernels.roiAlignSamplesPerBin)")
        }
        (self.height, self.width, binsPerRow) = (height, width, p.outputWidth)
    }

    /// Samples along one axis of a bin: the fixed ratio or ceil(bin size), either at most
    /// `roiAlignSamplesPerSide` × (side + 2).
    private static func samples(_ bin: Double, _ ratio: Int, side: Int, region: Int) throws -> Int {
        let limit = Double(Kernels.roiAlignSamplesPerSide * (side + 2))
        let count = ratio > 0 ? Double(ratio) : bin.rounded(.up)
        guard count <= limit else {
            throw EdgeflowError(.invalidInput, "roiAlign: region \(region) needs \(count) samples per bin side, "
                + "more than \(Int(limit)) for a feature map side of \(side)")
        }
        return max(Int(count), 0)
    }

    /// Fills the taps of every sample of `bin` (row-major over the output grid).
    mutating func planBin(_ bin: Int) {
        offsets.removeAll(keepingCapacity: true)
        weights.removeAll(keepingCapacity: true)
        let binY = Double(bin / binsPerRow), binX = Double(bin % binsPerRow)
        for iy in 0..<gridY {
            let y = startY + binY * binHeight + (Double(iy) + 0.5) * binHeight / Double(gridY)
            for ix in 0..<gridX {
                appendTaps(y: y, x: startX + binX * binWidth + (Double(ix) + 0.5) * binWidth / Double(gridX))
            }
        }
    }

    /// The ONNX reference's bilinear taps at (y, x): nothing outside [-1, size], the position
    /// clamped to the last row or column at the far edge.
    private mutating func appendTaps(y: Double, x: Double) {
        guard y >= -1, y <= Double(height), x >= -1, x <= Double(width) else {
            offsets += [0, 0, 0, 0]
            weights += [0, 0, 0, 0]
            return
        }
        let (yLow, yHigh, ly) = Self.axis(max(y, 0), height)
        let (xLow, xHigh, lx) = Self.axis(max(x, 0), width)
        offsets += [yLow * width + xLow, yLow * width + xHigh, yHigh * width + xLow, yHigh * width + xHigh]
        weights += [(1 - ly) * (1 - lx), (1 - ly) * lx, ly * (1 - lx), ly * lx]
    }

    private static func axis(_ v: Double, _ size: Int) -> (low: Int, high: Int, fraction: Double) {
        let low = Int(v)
        if low >= size - 1 { return (size - 1, size - 1, 0) }
        return (low, low + 1, v - Double(low))
    }

    /// The current bin pooled over the channel plane starting at `plane`.
    func pool(_ source: [Double], _ plane: Int, _ mode: RoiAlignMode) -> Double {
        let samples = offsets.count / 4
        switch mode {
        case .avg:
            var sum = 0.0
            for t in offsets.indices { sum += weights[t] * source[plane + offsets[t]] }
            return sum / Double(max(samples, 1))
        case .max:
            var best = 0.0
            for s in 0..<samples {
                var value = weights[s * 4] * source[plane + offsets[s * 4]]
                for k in 1..<4 { value = max(value, weights[s * 4 + k] * source[plane + offsets[s * 4 + k]]) }
                best = s == 0 ? value : max(best, value)
            }
            return best
        }
    }
}
