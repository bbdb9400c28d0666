// Cuts a text box (any quadrilateral) out of a photo as an upright rectangle, the way Immich's
// OCR recognizer does it with Pillow: the output size is the longer of each pair of opposite
// edges (truncated), every output pixel centre is mapped onto the box by the perspective
// transform that takes the rectangle's corners to the box's, and sampled with Pillow's
// transform bicubic (a = −1 cubic convolution, edge pixels repeated, clipped and truncated to
// 8 bits, 0 outside the image); a crop at least 1.5 times as tall as wide is turned a quarter
// counter-clockwise.

import EFCore
import EFMedia
import Foundation

/// Rectifying crops of text boxes.
public enum PerspectiveCrop {
    /// Largest crop side accepted (a box is at most the photo's diagonal).
    public static let maxSide = 1 << 15

    /// The box `corners` (top-left, top-right, bottom-right, bottom-left, image pixels) of
    /// `image` as an upright image with the same channels.
    /// - Throws: `EdgeflowError.invalidInput` for other than 4 corners, non-finite corners, or a
    ///   box whose output would be empty or larger than `maxSide`.
    public static func crop(_ image: PixelImage, corners: [TextPoint]) throws -> PixelImage {
        guard corners.count == 4, corners.allSatisfy({ $0.x.isFinite && $0.y.isFinite }) else {
            throw EdgeflowError(.invalidInput, "a text box needs 4 finite corners, got \(corners)")
        }
        let widthF = max(corners[0].distance(to: corners[1]), corners[3].distance(to: corners[2]))
        let heightF = max(corners[0].distance(to: corners[3]), corners[1].distance(to: corners[2]))
        guard widthF < Double(maxSide), heightF < Double(maxSide), Int(widthF) >= 1, Int(heightF) >= 1 else {
            throw EdgeflowError(.invalidInput, "the text box \(corners) makes a \(widthF)×\(heightF) crop")
        }
        let width = Int(widthF), height = Int(heightF)
        let rectangle = [TextPoint(x: 0, y: 0), TextPoint(x: Double(width), y: 0),
                         TextPoint(x: Double(width), y: Double(height)), TextPoint(x: 0, y: Double(height))]
        guard let map = homography(from: rectangle, to: corners) else {
            throw EdgeflowError(.invalidInput, "the text box \(corners) is degenerate")
        }
        let channels = image.channels
        var pixels = [UInt8](repeating: 0, count: width * height * channels)
        image.pixels.withUnsafeBufferPointer { source in
            for y in 0..<height {
                for x in 0..<width {
                    let u = Double(x) + 0.5, v = Double(y) + 0.5
                    let w = map[6] * u + map[7] * v + 1
                    let sx = (map[0] * u + map[1] * v + map[2]) / w
                    let sy = (map[3] * u + map[4] * v + map[5]) / w
                    sample(source, image.width, image.height, channels, sx, sy, into: &pixels,
                           at: (y * width + x) * channels)
                }
            }
        }
        let upright = try PixelImage(width: width, height: height, channels: channels, pixels: pixels)
        return Double(height) / Double(width) >= 1.5 ? upright.rotatedCounterClockwise() : upright
    }

    /// The 8 coefficients (a0…a7, a8 = 1) of the perspective map taking each `from` point to the
    /// `to` point: x' = (a0 x + a1 y + a2) / (a6 x + a7 y + 1), y' likewise with a3…a5. Nil
    /// when the points are degenerate (the 8×8 system is singular).
    public static func homography(from: [TextPoint], to: [TextPoint]) -> [Double]? {
        var rows: [[Double]] = []
        for (p, q) in zip(from, to) {
            rows.append([p.x, p.y, 1, 0, 0, 0, -q.x * p.x, -q.x * p.y, q.x])
            rows.append([0, 0, 0, p.x, p.y, 1, -q.y * p.x, -q.y * p.y, q.y])
        }
        return solve(rows)
    }

    /// Gaussian elimination with partial pivoting on an n × (n + 1) augmented matrix.
    static func solve(_ system: [[Double]]) -> [Double]? {
        var m = system
        let n = m.count
        for col in 0..<n {
            guard let pivot = (col..<n).max(by: { abs(m[$0][col]) < abs(m[$1][col]) }),
                  abs(m[pivot][col]) > 1e-12 else { return nil }
            m.swapAt(col, pivot)
            for row in 0..<n where row != col {
                let factor = m[row][col] / m[col][col]
                if factor != 0 { for k in col...n { m[row][k] -= factor * m[col][k] } }
            }
        }
        let solution = (0..<n).map { m[$0][n] / m[$0][$0] }
        return solution.allSatisfy(\.isFinite) ? solution : nil
    }

    /// Pillow's transform bicubic at source point (x, y) (pixel-edge coordinates) into `out`.
    private static func sample(_ src: UnsafeBufferPointer<UInt8>, _ width: Int, _ height: Int, _ channels: Int,
                               _ x: Double, _ y: Double, into out: inout [UInt8], at offset: Int) {
        guard x >= 0, x < Double(width), y >= 0, y < Double(height) else { return }
        let fx = x - 0.5, fy = y - 0.5
        let ix = Int(fx.rounded(.down)), iy = Int(fy.rounded(.down))
        let dx = fx - Double(ix), dy = fy - Double(iy)
        let columns = (-1...2).map { min(max(ix + $0, 0), width - 1) }
        // The first row is clamped into the image; each later row outside it repeats the one before.
        var rows: [Int] = [min(max(iy - 1, 0), height - 1)]
        for k in 0...2 {
            let r = iy + k
            rows.append(r >= 0 && r < height ? r : rows[k])
        }
        for c in 0..<channels {
            var vertical = [Double](repeating: 0, count: 4)
            for (k, row) in rows.enumerated() {
                let base = row * width * channels + c
                func at(_ i: Int) -> Double { Double(src[base + columns[i] * channels]) }
                vertical[k] = cubic(at(0), at(1), at(2), at(3), dx)
            }
            let v = cubic(vertical[0], vertical[1], vertical[2], vertical[3], dy)
            out[offset + c] = v <= 0 ? 0 : v >= 255 ? 255 : UInt8(v)
        }
    }

    /// Cubic convolution with a = −1 through v1…v4 at fraction d between v2 and v3.
    private static func cubic(_ v1: Double, _ v2: Double, _ v3: Double, _ v4: Double, _ d: Double) -> Double {
        let p2 = -v1 + v3, p3 = 2 * (v1 - v2) + v3 - v4, p4 = -v1 + v2 - v3 + v4
        return v2 + d * (p2 + d * (p3 + d * p4))
    }
}
