// The resampling filters Edgeflow offers and, for Pillow's convolution filters, their kernels
// (support and weight function) exactly as Pillow 13 defines them in double precision.

import Foundation

/// A resampling method.
///
/// `nearest`, `box`, `bilinear`, `bicubic` and `lanczos` reproduce Pillow's `Image.resize` bit for
/// bit (antialiased: the kernel widens by the downscale factor). `opencvLinear` reproduces
/// OpenCV's `cv2.resize(..., interpolation=INTER_LINEAR)` on uint8 images (half-pixel centres, no
/// antialiasing, 11-bit fixed-point weights), as PP-OCR and insightface use it.
public enum ResampleFilter: String, CaseIterable, Sendable {
    case nearest, box, bilinear, bicubic, lanczos
    case opencvLinear = "opencv-linear"
}

/// One of Pillow's separable convolution kernels.
struct ConvolutionKernel {
    /// Half-width of the kernel at scale 1, in source pixels.
    let support: Double
    let weight: (Double) -> Double

    /// The kernel for a Pillow filter; nil for `nearest` and `opencvLinear`, which do not convolve.
    init?(_ filter: ResampleFilter) {
        switch filter {
        case .box: self.init(support: 0.5, weight: ConvolutionKernel.box)
        case .bilinear: self.init(support: 1, weight: ConvolutionKernel.triangle)
        case .bicubic: self.init(support: 2, weight: ConvolutionKernel.cubic)
        case .lanczos: self.init(support: 3, weight: ConvolutionKernel.lanczos3)
        case .nearest, .opencvLinear: return nil
        }
    }

    private init(support: Double, weight: @escaping (Double) -> Double) {
        self.support = support
        self.weight = weight
    }

    static func box(_ x: Double) -> Double { x > -0.5 && x <= 0.5 ? 1 : 0 }

    static func triangle(_ x: Double) -> Double {
        let t = abs(x)
        return t < 1 ? 1 - t : 0
    }

    /// Keys' cubic convolution with a = −0.5, evaluated in the same operation order as Pillow.
    static func cubic(_ x: Double) -> Double {
        let a = -0.5
        let t = abs(x)
        if t < 1 { return ((a + 2) * t - (a + 3)) * t * t + 1 }
        if t < 2 { return (((t - 5) * t + 8) * t - 4) * a }
        return 0
    }

    static func sinc(_ x: Double) -> Double {
        if x == 0 { return 1 }
        let px = x * Double.pi
        return sin(px) / px
    }

    static func lanczos3(_ x: Double) -> Double {
        -3 <= x && x < 3 ? sinc(x) * sinc(x / 3) : 0
    }
}
