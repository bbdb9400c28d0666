// Face alignment as insightface's `norm_crop`: the similarity transform (rotation, uniform
// scale, translation; no reflection) that maps the five detected landmarks onto ArcFace's
// reference points in the least-squares sense (the 2-D closed form of Umeyama's estimate, which
// skimage's SimilarityTransform computes by SVD), then an inverse-mapped bilinear warp into a
// 112×112 crop with black outside the photo (cv2.warpAffine's constant border).

import EFCore
import EFMedia

/// A 2-D affine map `(x, y) → (a·x + b·y + c, d·x + e·y + f)`.
public struct AffineTransform: Equatable, Sendable {
    public var a: Double, b: Double, c: Double
    public var d: Double, e: Double, f: Double

    public init(a: Double, b: Double, c: Double, d: Double, e: Double, f: Double) {
        (self.a, self.b, self.c, self.d, self.e, self.f) = (a, b, c, d, e, f)
    }

    /// The image of a point.
    public func apply(x: Double, y: Double) -> (x: Double, y: Double) {
        (a * x + b * y + c, d * x + e * y + f)
    }

    /// The inverse map, or nil when the transform is singular.
    public var inverse: AffineTransform? {
        let det = a * e - b * d
        guard det.isFinite, abs(det) > 1e-12 else { return nil }
        return AffineTransform(a: e / det, b: -b / det, c: (b * f - c * e) / det,
                               d: -d / det, e: a / det, f: (c * d - a * f) / det)
    }
}

public enum FaceAlignment {
    /// ArcFace's five reference points in a 112×112 crop: left eye, right eye, nose tip, left
    /// and right mouth corners (insightface's `arcface_dst`).
    public static let arcFaceReference: [(x: Double, y: Double)] = [
        (38.2946, 51.6963), (73.5318, 51.5014), (56.0252, 71.7366), (41.5493, 92.3655), (70.7299, 92.2041),
    ]

    /// The similarity transform that best maps `source` onto `target` (least squares).
    /// - Throws: `EdgeflowError.invalidInput` when the lists differ in length, have fewer than
    ///   two points, hold a non-finite value, or the source points all coincide.
    public static func similarity(from source: [(x: Double, y: Double)],
                                  to target: [(x: Double, y: Double)]) throws -> AffineTransform {
        guard source.count == target.count, source.count >= 2,
              (source + target).allSatisfy({ $0.x.isFinite && $0.y.isFinite }) else {
            throw EdgeflowError(.invalidInput, "a similarity transform needs two equal lists of at least two finite "
                                    + "points, got \(source.count) and \(target.count)")
        }
        let n = Double(source.count)
        let sx = source.reduce(0) { $0 + $1.x } / n, sy = source.reduce(0) { $0 + $1.y } / n
        let tx = target.reduce(0) { $0 + $1.x } / n, ty = target.reduce(0) { $0 + $1.y } / n
        var dot = 0.0, cross = 0.0, spread = 0.0
        for (s, t) in zip(source, target) {
            let (px, py, qx, qy) = (s.x - sx, s.y - sy, t.x - tx, t.y - ty)
            dot += px * qx + py * qy
            cross += px * qy - py * qx
            spread += px * px + py * py
        }
        guard spread > 1e-12 else {
            throw EdgeflowError(.invalidInput, "the landmarks all lie on one point: no transform maps them")
        }
        // scale·cos θ and scale·sin θ of the optimal rotation and scale.
        let a = dot / spread, b = cross / spread
        return AffineTransform(a: a, b: -b, c: tx - (a * sx - b * sy), d: b, e: a, f: ty - (b * sx + a * sy))
    }

    /// The `size × size` crop of `image` in which `landmarks` (x0, y0, … x4, y4 in photo pixels)
    /// land on ArcFace's reference points (scaled by size/112).
    /// - Throws: `EdgeflowError.invalidInput` for other than 10 finite coordinates or a size outside 8…1024.
    public static func align(_ image: PixelImage, landmarks: [Float], size: Int = 112) throws -> PixelImage {
        guard landmarks.count == 10, (8...1024).contains(size) else {
            throw EdgeflowError(.invalidInput, "alignment needs 5 landmarks (10 values) and a size in 8…1024, "
                                    + "got \(landmarks.count) values and size \(size)")
        }
        let points = (0..<5).map { (x: Double(landmarks[2 * $0]), y: Double(landmarks[2 * $0 + 1])) }
        let ratio = Double(size) / 112
        let reference = arcFaceReference.map { (x: $0.x * ratio, y: $0.y * ratio) }
        return try warp(image, try similarity(from: points, to: reference), width: size, height: size)
    }

    /// `image` mapped by `transform` into a `width × height` image: each output pixel (x, y) is
    /// the bilinear sample of the source at `transform⁻¹(x, y)`, source pixels outside the
    /// image counting as black.
    /// - Throws: `EdgeflowError.invalidInput` for a singular transform or a size outside 1…4096.
    public static func warp(_ image: PixelImage, _ transform: AffineTransform, width: Int,
                            height: Int) throws -> PixelImage {
        guard let inverse = transform.inverse, (1...4096).contains(width), (1...4096).contains(height) else {
            throw EdgeflowError(.invalidInput, "cannot warp into \(width)×\(height) with a singular transform")
        }
        let channels = image.channels
        var out = PixelImage(zerosWidth: width, height: height, channels: channels)
        image.pixels.withUnsafeBufferPointer { source in
            out.pixels.withUnsafeMutableBufferPointer { target in
                func sample(_ x: Int, _ y: Int, _ k: Int) -> Double {
                    guard x >= 0, y >= 0, x < image.width, y < image.height else { return 0 }
                    return Double(source[(y * image.width + x) * channels + k])
                }
                for y in 0..<height {
                    for x in 0..<width {
                        let (u, v) = inverse.apply(x: Double(x), y: Double(y))
                        guard u > -1, v > -1, u < Double(image.width), v < Double(image.height) else { continue }
                        let x0 = Int(u.rounded(.down)), y0 = Int(v.rounded(.down))
                        let fx = u - Double(x0), fy = v - Double(y0)
                        for k in 0..<channels {
                            let top = sample(x0, y0, k) * (1 - fx) + sample(x0 + 1, y0, k) * fx
                            let bottom = sample(x0, y0 + 1, k) * (1 - fx) + sample(x0 + 1, y0 + 1, k) * fx
                            let value = top * (1 - fy) + bottom * fy
                            target[(y * width + x) * channels + k] = UInt8(max(0, min(255, value.rounded())))
                        }
                    }
                }
            }
        }
        return out
    }
}
