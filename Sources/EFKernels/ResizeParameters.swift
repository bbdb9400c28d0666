// The parameters of ONNX Resize, as the kernel takes them: all shapes resolved, one scale per
// axis, the region of interest only for tf_crop_and_resize.

import EFCore

/// How Resize samples the input.
public enum ResizeMode: String, Sendable, CaseIterable {
    case nearest, linear, cubic
}

/// How an output index maps back to an input coordinate (ONNX coordinate_transformation_mode).
public enum ResizeCoordinateMode: String, Sendable, CaseIterable {
    case halfPixel = "half_pixel"
    case halfPixelSymmetric = "half_pixel_symmetric"
    case pytorchHalfPixel = "pytorch_half_pixel"
    case alignCorners = "align_corners"
    case asymmetric
    case tfCropAndResize = "tf_crop_and_resize"
}

/// How nearest mode rounds a fractional input coordinate (ONNX nearest_mode).
public enum ResizeNearestMode: String, Sendable, CaseIterable {
    case roundPreferFloor = "round_prefer_floor"
    case roundPreferCeil = "round_prefer_ceil"
    case floor, ceil
    /// Resize-10 and Upsample (before nearest_mode existed), as onnxruntime runs them: ceil on
    /// axes that shrink (scale < 1), floor on the others.
    case simple
}

/// Parameters of `Kernels.resize`.
public struct ResizeParameters: Equatable, Sendable {
    public var mode: ResizeMode
    public var coordinateMode: ResizeCoordinateMode
    public var nearestMode: ResizeNearestMode
    /// The cubic kernel's A (ONNX cubic_coeff_a).
    public var cubicCoeffA: Double
    /// Give zero weight to taps outside the input and renormalize.
    public var excludeOutside: Bool
    /// The value of outputs whose coordinate falls outside the input in tf_crop_and_resize.
    public var extrapolationValue: Double
    /// Widen the linear/cubic filter by 1/scale when downsampling.
    public var antialias: Bool
    /// The complete output shape.
    public var sizes: [Int]
    /// One scale per axis, used by the coordinate transform; nil means sizes / input shape.
    public var scales: [Double]?
    /// [start per axis..., end per axis...] in normalized coordinates (tf_crop_and_resize only);
    /// nil means the whole input.
    public var roi: [Double]?

    public init(mode: ResizeMode, coordinateMode: ResizeCoordinateMode = .halfPixel,
                nearestMode: ResizeNearestMode = .roundPreferFloor, cubicCoeffA: Double = -0.75,
                excludeOutside: Bool = false, extrapolationValue: Double = 0, antialias: Bool = false,
                sizes: [Int], scales: [Double]? = nil, roi: [Double]? = nil) {
        self.mode = mode
        self.coordinateMode = coordinateMode
        self.nearestMode = nearestMode
        self.cubicCoeffA = cubicCoeffA
        self.excludeOutside = excludeOutside
        self.extrapolationValue = extrapolationValue
        self.antialias = antialias
        self.sizes = sizes
        self.scales = scales
        self.roi = roi
    }

    /// The scale of each axis for an input of `shape`.
    /// - Throws: `EdgeflowError.invalidInput` when sizes, scales or roi do not have one entry
    ///   (two for roi) per axis, a size is negative, or a scale is not positive and finite.
    func checkedScales(for shape: [Int]) throws -> [Double] {
        let rank = shape.count
        guard sizes.count == rank, sizes.allSatisfy({ $0 >= 0 }) else {
            throw EdgeflowError(.invalidInput,
                "resize: sizes \(sizes) must give \(rank) non-negative dims for input \(shape.shapeDescription)")
        }
        if let roi, roi.count != 2 * rank {
            throw EdgeflowError(.invalidInput, "resize: roi has \(roi.count) values, expected \(2 * rank)")
        }
        guard let scales else {
            return (0..<rank).map { shape[$0] == 0 ? 1 : Double(sizes[$0]) / Double(shape[$0]) }
        }
        guard scales.count == rank, scales.allSatisfy({ $0 > 0 && $0.isFinite }) else {
            throw EdgeflowError(.invalidInput, "resize: scales \(scales) must give \(rank) positive finite values")
        }
        return scales
    }
}
