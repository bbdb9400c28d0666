// The shapes in a DB text-probability map, as PP-OCR's post-processing sees them: the map
// thresholded, dilated by a 2×2 square (a pixel is set when it or its left, upper or upper-left
// neighbour passes), split into 8-connected components; each component is reported by its
// border pixels (enough for its convex hull, which is all the box fitting needs). This stands
// in for OpenCV's findContours: the outer contour of a component holds exactly these pixels;
// holes' inner contours are not reported.

/// One connected shape of a thresholded map: the coordinates of its border pixels.
struct MapComponent {
    var border: [TextPoint]
}

enum TextMapComponents {
    /// The components of `probabilities` (row-major `height × width`) above `threshold`, in
    /// raster order of their first pixel, at most `limit` of them.
    static func find(_ probabilities: UnsafeBufferPointer<Float>, width: Int, height: Int,
                     threshold: Float, limit: Int) -> [MapComponent] {
        guard width > 0, height > 0 else { return [] }
        var mask = [Bool](repeating: false, count: width * height)
        for y in 0..<height {
            for x in 0..<width {
                var on = probabilities[y * width + x] > threshold
                if !on && x > 0 { on = probabilities[y * width + x - 1] > threshold }
                if !on && y > 0 { on = probabilities[(y - 1) * width + x] > threshold }
                if !on && x > 0 && y > 0 { on = probabilities[(y - 1) * width + x - 1] > threshold }
                mask[y * width + x] = on
            }
        }
        var seen = [Bool](repeating: false, count: width * height)
        var components: [MapComponent] = []
        var stack: [Int] = []
        for start in 0..<(width * height) where mask[start] && !seen[start] {
            guard components.count < limit else { break }
            seen[start] = true
            stack.append(start)
            var border: [TextPoint] = []
            while let index = stack.popLast() {
                let y = index / width, x = index % width
                var edge = false
                for dy in -1...1 {
                    for dx in -1...1 where dx != 0 || dy != 0 {
                        let ny = y + dy, nx = x + dx
                        guard ny >= 0, ny < height, nx >= 0, nx < width, mask[ny * width + nx] else {
                            edge = true
                            continue
                        }
                        let neighbour = ny * width + nx
                        if !seen[neighbour] {
                            seen[neighbour] = true
                            stack.append(neighbour)
                        }
                    }
                }
                if edge { border.append(TextPoint(x: Double(x), y: Double(y))) }
            }
            if border.isEmpty { border.append(TextPoint(x: Double(start % width), y: Double(start / width))) }
            components.append(MapComponent(border: border))
        }
        return components
    }
}
