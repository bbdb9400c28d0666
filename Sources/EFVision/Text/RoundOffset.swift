// DB's unclip step as PP-OCR runs it through pyclipper: a polygon grown by a distance with
// round joins on an integer grid (Clipper's offsetting: corners truncated to whole pixels, each
// edge moved out along its unit normal, each convex corner filled by an arc of
// π / acos(1 − 0.25 / distance) steps per turn, every point rounded half away from zero). The
// rectangle fitted to these points is the box RapidOCR keeps, to the pixel.

import Foundation

enum RoundOffset {
    /// The points of `polygon` (truncated to whole pixels) grown outwards by `distance` ≥ 1
    /// with round joins; empty for fewer than 3 points or a distance that is not positive.
    static func grow(_ polygon: [TextPoint], by distance: Double) -> [TextPoint] {
        let source = polygon.map { TextPoint(x: $0.x.rounded(.towardZero), y: $0.y.rounded(.towardZero)) }
        guard source.count >= 3, distance > 0, distance.isFinite else { return [] }
        let tolerance = min(0.25, distance * 0.25)
        var steps = Double.pi / acos(1 - tolerance / distance)
        if steps > distance * Double.pi { steps = distance * Double.pi }
        let grown = run(source, distance, steps)
        // Clipper orients the polygon so that the offset grows it.
        return TextBoxes.area(grown) >= TextBoxes.area(source) ? grown : run(source.reversed(), distance, steps)
    }

    private static func run(_ src: [TextPoint], _ delta: Double, _ steps: Double) -> [TextPoint] {
        let n = src.count
        let normals: [(x: Double, y: Double)] = (0..<n).map { j in
            let dx = src[(j + 1) % n].x - src[j].x, dy = src[(j + 1) % n].y - src[j].y
            let length = (dx * dx + dy * dy).squareRoot()
            return length == 0 ? (0, 0) : (dy / length, -dx / length)
        }
        let sinStep = sin(2 * Double.pi / steps), cosStep = cos(2 * Double.pi / steps)
        let stepsPerRadian = steps / (2 * Double.pi)
        func point(_ p: TextPoint, _ nx: Double, _ ny: Double) -> TextPoint {
            TextPoint(x: (p.x + nx * delta).rounded(.toNearestOrAwayFromZero),
                      y: (p.y + ny * delta).rounded(.toNearestOrAwayFromZero))
        }
        var out: [TextPoint] = []
        var k = n - 1
        for j in 0..<n {
            defer { k = j }
            let p = src[j], a = normals[k], b = normals[j]
            var sinA = a.x * b.y - b.x * a.y
            let cosA = a.x * b.x + a.y * b.y
            if abs(sinA * delta) < 1 && cosA > 0 {
                out.append(point(p, a.x, a.y))
                continue
            }
            sinA = min(max(sinA, -1), 1)
            if sinA * delta < 0 {
                out += [point(p, a.x, a.y), p, point(p, b.x, b.y)]
                continue
            }
            let count = max(Int((stepsPerRadian * abs(atan2(sinA, cosA))).rounded(.toNearestOrAwayFromZero)), 1)
            var (x, y) = (a.x, a.y)
            for _ in 0..<count {
                out.append(point(p, x, y))
                (x, y) = (x * cosStep - sinStep * y, x * sinStep + y * cosStep)
            }
            out.append(point(p, b.x, b.y))
        }
        return out
    }
}
