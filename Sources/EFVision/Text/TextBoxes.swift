// PP-OCR's DB post-processing with the settings Immich gives RapidOCR: components of the
// thresholded map → smallest rotated rectangle → box score (mean probability inside the
// rectangle) → unclip (grown by area · ratio / perimeter) → rectangle again → scaled to the
// image, rounded, clipped → corners ordered TL, TR, BR, BL; then Immich's reading order.

import EFCore
import Foundation

/// A text box found by the detector, in pixels of the image it was found in.
public struct TextBox: Equatable, Sendable {
    /// Top-left, top-right, bottom-right, bottom-left; whole pixels inside the image.
    public var corners: [TextPoint]
    /// Mean detection probability inside the box before it was grown (0…1).
    public var score: Float

    /// A box from its corners (top-left, top-right, bottom-right, bottom-left) and score.
    public init(corners: [TextPoint], score: Float) {
        self.corners = corners
        self.score = score
    }
}

/// DB post-processing (Differentiable Binarization text detectors: PP-OCR's, RapidOCR's).
public enum TextBoxes {
    /// The boxes in `map`, a float32 probability map `[1, 1, H, W]` or `[H, W]` computed on a
    /// resized copy of an `imageWidth × imageHeight` image, in image pixels and reading order.
    /// - Parameters:
    ///   - threshold: the binarization threshold (PP-OCR: 0.3).
    ///   - minScore: boxes whose mean probability is lower are dropped (Immich's detection
    ///     `minScore`, default 0.5).
    ///   - unclipRatio: how far boxes grow (PP-OCR: 1.6).
    ///   - maxCandidates: at most this many shapes are considered (PP-OCR: 1000).
    /// - Throws: `EdgeflowError.invalidInput` for another dtype or shape, or an image size < 1.
    public static func find(in map: Tensor, imageWidth: Int, imageHeight: Int, threshold: Float = 0.3,
                            minScore: Float = 0.5, unclipRatio: Double = 1.6,
                            maxCandidates: Int = 1000) throws -> [TextBox] {
        guard map.dtype == .float32, map.rank == 4 || map.rank == 2, map.count > 0,
              map.rank == 2 || map.shape[0...1] == [1, 1] else {
            throw EdgeflowError(.invalidInput, "expected a float32 probability map [1, 1, H, W] or [H, W], got "
                                    + "\(map.dtype.rawValue)\(map.shape.shapeDescription)")
        }
        guard imageWidth >= 1, imageHeight >= 1 else {
            throw EdgeflowError(.invalidInput, "image size \(imageWidth)×\(imageHeight) must be at least 1×1")
        }
        let height = map.shape[map.rank - 2], width = map.shape[map.rank - 1]
        let boxes: [TextBox] = map.withUnsafeBufferPointer(as: Float.self) { probabilities in
            let components = TextMapComponents.find(probabilities, width: width, height: height,
                                                    threshold: threshold, limit: maxCandidates)
            return components.compactMap { component -> TextBox? in
                let (corners, shortSide) = MinAreaRect.rectangle(of: component.border)
                guard shortSide >= 3 else { return nil }
                let score = meanInside(corners, probabilities, width: width, height: height)
                guard score >= minScore else { return nil }
                // The distance comes from the rectangle; the offset works on whole pixels (pyclipper's).
                let distance = area(corners) * unclipRatio / perimeter(corners)
                guard distance.isFinite, distance > 0 else { return nil }
                let (grown, grownShort) = MinAreaRect.rectangle(of: RoundOffset.grow(corners, by: distance))
                guard grownShort >= 5 else { return nil }
                // numpy's round (half to even), clipped to 0…size; then to 0…size − 1 as whole pixels.
                func scale(_ v: Double, _ from: Int, _ to: Int) -> Double {
                    min(max((v / Double(from) * Double(to)).rounded(.toNearestOrEven), 0), Double(to))
                }
                let scaled = grown.map {
                    TextPoint(x: scale($0.x, width, imageWidth), y: scale($0.y, height, imageHeight))
                }
                let clipped = MinAreaRect.ordered(scaled).map { p in
                    TextPoint(x: min(max(p.x, 0), Double(imageWidth - 1)), y: min(max(p.y, 0), Double(imageHeight - 1)))
                }
                guard Int(clipped[0].distance(to: clipped[1])) > 3, Int(clipped[0].distance(to: clipped[3])) > 3 else {
                    return nil
                }
                return TextBox(corners: clipped, score: score)
            }
        }
        return readingOrder(boxes)
    }

    /// Immich's order: stable by the top-left corner's y; a new line starts where that y jumps
    /// by 10 pixels or more from the previous box's; by top-left x within a line.
    public static func readingOrder(_ boxes: [TextBox]) -> [TextBox] {
        let byY = boxes.enumerated().sorted {
            ($0.element.corners[0].y, $0.offset) < ($1.element.corners[0].y, $1.offset)
        }
        var line = 0
        var keyed: [(line: Int, x: Double, rank: Int, box: TextBox)] = []
        for (rank, item) in byY.enumerated() {
            if rank > 0 && abs(item.element.corners[0].y - byY[rank - 1].element.corners[0].y) >= 10 { line += 1 }
            keyed.append((line, item.element.corners[0].x, rank, item.element))
        }
        return keyed.sorted { ($0.line, $0.x, $0.rank) < ($1.line, $1.x, $1.rank) }.map(\.box)
    }

    /// Mean of the map over the quadrilateral as OpenCV's fillPoly covers it (the corners
    /// truncated to whole pixels inside its bounding window): each row from the ceiling of its
    /// left edge crossing to the floor of its right one, plus the edges drawn as 8-connected lines.
    static func meanInside(_ corners: [TextPoint], _ map: UnsafeBufferPointer<Float>, width: Int,
                           height: Int) -> Float {
        let xs = corners.map(\.x), ys = corners.map(\.y)
        let x0 = min(max(Int(xs.min()!.rounded(.down)), 0), width - 1)
        let x1 = min(max(Int(xs.max()!.rounded(.up)), 0), width - 1)
        let y0 = min(max(Int(ys.min()!.rounded(.down)), 0), height - 1)
        let y1 = min(max(Int(ys.max()!.rounded(.up)), 0), height - 1)
        let polygon = corners.map { TextPoint(x: ($0.x - Double(x0)).rounded(.towardZero) + Double(x0),
                                              y: ($0.y - Double(y0)).rounded(.towardZero) + Double(y0)) }
        let columns = x1 - x0 + 1
        var covered = [Bool](repeating: false, count: columns * (y1 - y0 + 1))
        func cover(_ x: Int, _ y: Int) {
            if x >= x0 && x <= x1 && y >= y0 && y <= y1 { covered[(y - y0) * columns + x - x0] = true }
        }
        for y in y0...y1 {
            guard let (left, right) = crossings(polygon, y: Double(y)) else { continue }
            let from = Int(left.rounded(.up)), to = Int(right.rounded(.down))
            if from <= to { for x in from...to { cover(x, y) } }
        }
        for i in 0..<polygon.count {
            let a = polygon[i], b = polygon[(i + 1) % polygon.count]
            let steps = Int(max(abs(b.x - a.x), abs(b.y - a.y)))
            for k in 0...steps {
                let t = steps == 0 ? 0 : Double(k) / Double(steps)
                cover(Int((a.x + (b.x - a.x) * t + 0.5).rounded(.down)),
                      Int((a.y + (b.y - a.y) * t + 0.5).rounded(.down)))
            }
        }
        var sum = 0.0, count = 0
        for y in y0...y1 {
            for x in x0...x1 where covered[(y - y0) * columns + x - x0] {
                sum += Double(map[y * width + x])
                count += 1
            }
        }
        return count == 0 ? 0 : Float(sum / Double(count))
    }

    /// Where the horizontal line at `y` enters and leaves a convex polygon (nil when it misses).
    static func crossings(_ polygon: [TextPoint], y: Double) -> (Double, Double)? {
        var low = Double.infinity, high = -Double.infinity
        for i in 0..<polygon.count {
            let a = polygon[i], b = polygon[(i + 1) % polygon.count]
            if a.y == b.y {
                if a.y == y { low = min(low, a.x, b.x); high = max(high, a.x, b.x) }
                continue
            }
            guard y >= min(a.y, b.y), y <= max(a.y, b.y) else { continue }
            let x = a.x + (y - a.y) / (b.y - a.y) * (b.x - a.x)
            low = min(low, x)
            high = max(high, x)
        }
        return low <= high ? (low, high) : nil
    }

    static func area(_ polygon: [TextPoint]) -> Double {
        var twice = 0.0
        for i in 0..<polygon.count {
            let a = polygon[i], b = polygon[(i + 1) % polygon.count]
            twice += a.x * b.y - b.x * a.y
        }
        return abs(twice) / 2
    }

    static func perimeter(_ polygon: [TextPoint]) -> Double {
        (0..<polygon.count).reduce(0) { $0 + polygon[$1].distance(to: polygon[($1 + 1) % polygon.count]) }
    }
}
