// Finds text regions in a text-detection probability map (the DB post-processing of PP-OCR,
// simplified to axis-aligned boxes): threshold, connected components, score and size filters.

import EFCore

/// An axis-aligned region of a probability map, in map pixels (inclusive bounds).
public struct TextRegion: Equatable, Sendable {
    public var minX: Int, minY: Int, maxX: Int, maxY: Int
    /// Mean probability over the region's pixels.
    public var score: Float
    public var width: Int { maxX - minX + 1 }
    public var height: Int { maxY - minY + 1 }
}

/// Text-region extraction from a DB-style probability map.
public enum TextRegions {
    /// Regions of `map` ([N, 1, H, W] or [H, W] float32; only the first image is read) whose
    /// pixels exceed `threshold`, joined by 8-connectivity, keeping those whose mean
    /// probability is at least `minScore` and whose shorter side is at least `minSide` pixels.
    /// Regions are ordered top to bottom, then left to right.
    /// - Throws: `EdgeflowError.invalidInput` for other dtypes or shapes.
    public static func find(in map: Tensor, threshold: Float = 0.3, minScore: Float = 0.5,
                            minSide: Int = 3) throws -> [TextRegion] {
        guard map.dtype == .float32, map.rank == 4 || map.rank == 2, map.count > 0 else {
            throw EdgeflowError(.invalidInput,
                "expected a float32 probability map [N, 1, H, W] or [H, W], got "
                    + "\(map.dtype.rawValue)\(map.shape.shapeDescription)")
        }
        let height = map.shape[map.rank - 2], width = map.shape[map.rank - 1]
        return map.withUnsafeBufferPointer(as: Float.self) { probabilities in
            var label = [Int32](repeating: 0, count: height * width)
            var regions: [TextRegion] = []
            var stack: [Int] = []
            for start in 0..<(height * width) where probabilities[start] > threshold && label[start] == 0 {
                label[start] = 1
                stack.append(start)
                var region = TextRegion(minX: width, minY: height, maxX: -1, maxY: -1, score: 0)
                var sum: Float = 0, pixels = 0
                while let index = stack.popLast() {
                    let y = index / width, x = index % width
                    region.minX = min(region.minX, x); region.maxX = max(region.maxX, x)
                    region.minY = min(region.minY, y); region.maxY = max(region.maxY, y)
                    sum += probabilities[index]; pixels += 1
                    for dy in -1...1 {
                        for dx in -1...1 {
                            let ny = y + dy, nx = x + dx
                            guard ny >= 0, ny < height, nx >= 0, nx < width else { continue }
                            let neighbour = ny * width + nx
                            if label[neighbour] == 0 && probabilities[neighbour] > threshold {
                                label[neighbour] = 1
                                stack.append(neighbour)
                            }
                        }
                    }
                }
                region.score = sum / Float(pixels)
                if region.score >= minScore && min(region.width, region.height) >= minSide {
                    regions.append(region)
                }
            }
            return regions.sorted { ($0.minY, $0.minX) < ($1.minY, $1.minX) }
        }
    }
}
