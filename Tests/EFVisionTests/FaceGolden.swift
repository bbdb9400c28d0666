// Tests/Goldens/faces/golden.json (tools/goldens/make_face_goldens.py: insightface's SCRFD
// decoding, NMS and norm_crop in NumPy on the generated buffalo_l-shaped models) and the
// synthetic photo it was made from, computed again here by the same formula.

import EFCore
import EFMedia
import EFTestSupport
import Foundation

struct FaceGolden: Decodable {
    struct Face: Decodable {
        var box: [Float]
        var score: Float
        var landmarks: [Float]
        var transform: [Double]?
        var crop: String?
        var embedding: [Float]?
    }

    var detector: String
    var recognizer: String
    var detector_sha256: String
    var recognizer_sha256: String
    var size: Int
    var squares: [[Int]]
    var min_score: Float
    var faces: [Face]

    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    static func load() throws -> FaceGolden {
        let url = root.appendingPathComponent("Tests/Goldens/faces/golden.json")
        return try JSONDecoder().decode(FaceGolden.self, from: Data(contentsOf: url))
    }

    /// The generator's `noise`: a 32-bit hash of (x, y, c).
    static func noise(_ x: Int, _ y: Int, _ c: Int) -> UInt32 {
        var h = UInt32(truncatingIfNeeded: 73856093 * x + 19349663 * y + 83492791 * c)
        h ^= h >> 13
        h = h &* 0x5BD1_E995
        h ^= h >> 15
        return h
    }

    /// The generator's `synthetic_photo`: 30 + noise % 40 outside the squares, 180 + noise % 70 inside.
    static func syntheticPhoto(size: Int, squares: [[Int]]) throws -> PixelImage {
        var pixels = [UInt8](repeating: 0, count: size * size * 3)
        for y in 0..<size {
            for x in 0..<size {
                let inside = squares.contains { x >= $0[0] && x < $0[0] + $0[2] && y >= $0[1] && y < $0[1] + $0[2] }
                for c in 0..<3 {
                    let h = noise(x, y, c)
                    pixels[(y * size + x) * 3 + c] = UInt8(inside ? 180 + h % 70 : 30 + h % 40)
                }
            }
        }
        return try PixelImage(width: size, height: size, channels: 3, pixels: pixels)
    }
}
