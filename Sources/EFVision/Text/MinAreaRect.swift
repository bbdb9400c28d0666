// Plane geometry for text boxes: points, the convex hull (monotone chain), the smallest-area
// enclosing rectangle at any angle (rotating calipers over the hull's edges, as OpenCV's
// minAreaRect finds it), and PP-OCR's corner order (top-left, top-right, bottom-right, bottom-left).

import Foundation

/// A point in pixel coordinates (x to the right, y down).
public struct TextPoint: Equatable, Sendable {
    public var x: Double
    public var y: Double

    /// The point (x, y).
    public init(x: Double, y: Double) {
        self.x = x
        self.y = y
    }

    /// The Euclidean distance to `other`.
    public func distance(to other: TextPoint) -> Double {
        ((x - other.x) * (x - other.x) + (y - other.y) * (y - other.y)).squareRoot()
    }
}

/// Smallest enclosing rectangles of point sets (PP-OCR box fitting).
public enum MinAreaRect {
    /// The convex hull of `points`, counter-clockwise in y-down coordinates seen as y-up, without
    /// collinear points; one or two points for degenerate sets, empty for none.
    public static func convexHull(_ points: [TextPoint]) -> [TextPoint] {
        let sorted = points.sorted { ($0.x, $0.y) < ($1.x, $1.y) }
        guard sorted.count > 2 else { return sorted.count == 2 && sorted[0] == sorted[1] ? [sorted[0]] : sorted }
        func cross(_ o: TextPoint, _ a: TextPoint, _ b: TextPoint) -> Double {
            (a.x - o.x) * (b.y - o.y) - (a.y - o.y) * (b.x - o.x)
        }
        var lower: [TextPoint] = [], upper: [TextPoint] = []
        for p in sorted {
            while lower.count >= 2 && cross(lower[lower.count - 2], lower[lower.count - 1], p) <= 0 {
                lower.removeLast()
            }
            lower.append(p)
        }
        for p in sorted.reversed() {
            while upper.count >= 2 && cross(upper[upper.count - 2], upper[upper.count - 1], p) <= 0 {
                upper.removeLast()
            }
            upper.append(p)
        }
        return Array(lower.dropLast() + upper.dropLast())
    }

    /// The smallest-area rectangle holding `points`, each side moved outwards by `margin`
    /// (the rectangle of the points' Minkowski sum with a disc of that radius): its four
    /// corners in PP-OCR's order (`ordered`) and its shorter side. Empty input gives four
    /// corners at the origin.
    public static func rectangle(of points: [TextPoint],
                                 margin: Double = 0) -> (corners: [TextPoint], shortSide: Double) {
        let hull = convexHull(points)
        guard let first = hull.first else { return ([TextPoint](repeating: TextPoint(x: 0, y: 0), count: 4), 0) }
        // Candidate axes: every hull edge's direction (an optimal rectangle has a side on one).
        var axes: [(Double, Double)] = [(1, 0)]
        for i in 0..<hull.count where hull.count > 1 {
            let a = hull[i], b = hull[(i + 1) % hull.count]
            let length = a.distance(to: b)
            if length > 0 { axes.append(((b.x - a.x) / length, (b.y - a.y) / length)) }
        }
        var best: (area: Double, ux: Double, uy: Double, u0: Double, u1: Double, v0: Double, v1: Double)?
        for (ux, uy) in axes {
            var u0 = Double.infinity, u1 = -Double.infinity, v0 = Double.infinity, v1 = -Double.infinity
            for p in hull {
                let u = (p.x - first.x) * ux + (p.y - first.y) * uy
                let v = -(p.x - first.x) * uy + (p.y - first.y) * ux
                u0 = min(u0, u); u1 = max(u1, u); v0 = min(v0, v); v1 = max(v1, v)
            }
            u0 -= margin; u1 += margin; v0 -= margin; v1 += margin
            let area = (u1 - u0) * (v1 - v0)
            if best == nil || area < best!.area - 1e-9 { best = (area, ux, uy, u0, u1, v0, v1) }
        }
        let r = best!
        func corner(_ u: Double, _ v: Double) -> TextPoint {
            TextPoint(x: first.x + u * r.ux - v * r.uy, y: first.y + u * r.uy + v * r.ux)
        }
        let corners = [corner(r.u0, r.v0), corner(r.u1, r.v0), corner(r.u1, r.v1), corner(r.u0, r.v1)]
        return (ordered(corners), min(r.u1 - r.u0, r.v1 - r.v0))
    }

    /// Four corners as PP-OCR orders them: the two with the smallest x are the left pair (the
    /// upper one top-left), the other two the right pair (the upper one top-right); returned
    /// as top-left, top-right, bottom-right, bottom-left. Sorting is stable.
    public static func ordered(_ corners: [TextPoint]) -> [TextPoint] {
        let byX = corners.enumerated().sorted { ($0.element.x, $0.offset) < ($1.element.x, $1.offset) }.map(\.element)
        let left = byX[0].y <= byX[1].y ? [byX[0], byX[1]] : [byX[1], byX[0]]
        let right = byX[2].y <= byX[3].y ? [byX[2], byX[3]] : [byX[3], byX[2]]
        return [left[0], right[0], right[1], left[1]]
    }
}
