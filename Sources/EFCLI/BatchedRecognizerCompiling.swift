// The face recognizer's batch executable: the ArcFace model compiled for B faces at once (its
// batch axis relabelled as Immich relabels it when the file fixes it at 1), kept only when it
// gives the batch-1 executable's embeddings on B test crops; otherwise faces run one by one.

import EFCore
import EFMedia
import EFVision
import EdgeflowRuntime
import Foundation

enum BatchedRecognizerCompiling {
    /// `single` with a batch-`batch` executable beside it (`model-bB.efx` next to `onnx`), or
    /// `single` alone when the model cannot run batched (a note goes to `log`).
    static func recognizer(_ single: FaceRecognizer, onnx: URL, batch: Int,
                           log: @escaping (String) -> Void) throws -> FaceRecognizer {
        let efx = onnx.deletingLastPathComponent().appendingPathComponent("model-b\(batch).efx")
        let fresh = !FolderModelCompiling.isCurrent(efx, comparedWith: onnx)
        do {
            let side = single.size
            let model = try FolderModelCompiling.executable(onnx: onnx, efx: efx, inputShape: [batch, 3, side, side],
                                                            relabelBatch: true, log: log)
            let batched = try FaceRecognizer(model: single.model, batchModel: model)
            if fresh { try check(batched, against: single) }
            return batched
        } catch {
            try? FileManager.default.removeItem(at: efx)
            let reason = (error as? EdgeflowError)?.message ?? "\(error)"
            log("\(onnx.path) does not run in batches of \(batch) (\(reason)); faces run one by one")
            return single
        }
    }

    /// Throws unless `batched` gives `single`'s embeddings (within 1e-4 of their largest value)
    /// on a batch of distinct synthetic crops.
    static func check(_ batched: FaceRecognizer, against single: FaceRecognizer) throws {
        let side = single.size
        let crops = try (0 ..< batched.batchSize).map { index in
            try PixelImage(width: side, height: side, channels: 3, pixels: (0 ..< side * side * 3).map {
                UInt8(truncatingIfNeeded: ($0 &* (2 * index + 3)) >> 2 &+ index &* 37)
            })
        }
        let together = try batched.embed(aligned: crops)
        for (crop, row) in zip(crops, together) {
            let alone = try single.embed(aligned: crop)
            let scale = max(1e-6, alone.map(abs).max() ?? 0)
            let difference = zip(alone, row).map { abs($0 - $1) }.max() ?? .infinity
            guard alone.count == row.count, difference <= 1e-4 * scale else {
                throw EdgeflowError(.invalidModel, "its batch differs from single runs by \(difference)")
            }
        }
    }
}
