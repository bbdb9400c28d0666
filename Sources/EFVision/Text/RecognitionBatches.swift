// Groups rectified text crops into recognizer batches the way RapidOCR's TextRecognizer does:
// crops sorted by width/height ratio, cut into batches of a fixed size; in each batch every crop
// is resized (OpenCV bilinear) to the recognizer's height, its width ceil(height · ratio) capped
// at the batch width int(height · max ratio) (never below the recognizer's 320/48), normalized
// ((x/255 − 0.5)/0.5, BGR) and zero-padded on the right to the batch width. Each row is its
// own tensor: the executables run a batch row by row (their shapes are static).

import EFCore
import EFMedia
import Foundation

/// One recognizer batch: which crops it holds and their input rows.
public struct RecognitionBatch: Sendable {
    /// Indices into the crop list, in batch-row order.
    public var indices: [Int]
    /// The batch's input width.
    public var width: Int
    /// One float32 [1, 3, height, width] tensor per row.
    public var rows: [Tensor]
}

/// RapidOCR-style recognizer batching.
public enum RecognitionBatches {
    /// The batches for `crops` (RGB images).
    /// - Parameters:
    ///   - batchSize: crops per batch (Immich: `MACHINE_LEARNING_MAX_BATCH_SIZE__OCR`, default 6).
    ///   - height: the recognizer's input height (PP-OCR: 48).
    ///   - baseWidth: the width of the recognizer's nominal shape (PP-OCR: 320); batches are at
    ///     least this wide.
    ///   - maxWidth: batches are at most this wide (a crop of a larger ratio is squeezed).
    /// - Throws: `EdgeflowError.invalidArgument` for a batch size < 1; resize errors.
    public static func make(_ crops: [PixelImage], batchSize: Int, height: Int = 48, baseWidth: Int = 320,
                     maxWidth: Int) throws -> [RecognitionBatch] {
        guard batchSize >= 1 else {
            throw EdgeflowError(.invalidArgument, "the recognition batch size must be at least 1, not \(batchSize)")
        }
        let ratios = crops.map { Double($0.width) / Double($0.height) }
        let order = ratios.indices.sorted { (ratios[$0], $0) < (ratios[$1], $1) }
        var batches: [RecognitionBatch] = []
        for start in stride(from: 0, to: order.count, by: batchSize) {
            let indices = Array(order[start..<min(start + batchSize, order.count)])
            let maxRatio = indices.map { ratios[$0] }.reduce(Double(baseWidth) / Double(height), max)
            let width = min(maxWidth, Int(Double(height) * maxRatio))
            let rows = try indices.map { try row(crops[$0], ratio: ratios[$0], height: height, width: width) }
            batches.append(RecognitionBatch(indices: indices, width: width, rows: rows))
        }
        return batches
    }

    /// One crop as a [1, 3, height, width] row: BGR planes of (x/255 − 0.5)/0.5 in float32
    /// (RapidOCR's arithmetic), 0 right of the resized crop.
    static func row(_ crop: PixelImage, ratio: Double, height: Int, width: Int) throws -> Tensor {
        let resizedWidth = max(1, min(width, Int((Double(height) * ratio).rounded(.up))))
        let resized = try Resampler.resize(rgb(crop), width: resizedWidth, height: height, filter: .opencvLinear)
        let plane = width * height
        var values = [Float](repeating: 0, count: 3 * plane)
        for y in 0..<height {
            for x in 0..<resizedWidth {
                for c in 0..<3 {
                    let byte = resized.pixels[(y * resizedWidth + x) * 3 + c]
                    values[(2 - c) * plane + y * width + x] = (Float(byte) / 255 - 0.5) / 0.5
                }
            }
        }
        return Tensor(shape: [1, 3, height, width], scalars: values)
    }

    /// `image` with 3 channels: gray repeated, alpha dropped (as Pillow's convert("RGB")).
    static func rgb(_ image: PixelImage) throws -> PixelImage {
        guard image.channels != 3 else { return image }
        var pixels = [UInt8](repeating: 0, count: image.width * image.height * 3)
        for i in 0..<(image.width * image.height) {
            for c in 0..<3 { pixels[i * 3 + c] = image.pixels[i * image.channels + (image.channels == 1 ? 0 : c)] }
        }
        return try PixelImage(width: image.width, height: image.height, channels: 3, pixels: pixels)
    }

}
