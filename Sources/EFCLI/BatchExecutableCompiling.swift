// A model folder's batch executable: an image model (ArcFace recognizer, CLIP image tower)
// compiled for B items at once beside its ONNX file (`model-bB.efx`, its batch axis relabelled
// by BatchAxisRelabeling), kept only when it gives the batch-1 executable's outputs on B test
// inputs; otherwise the items run one by one.

import EFCore
import EdgeflowRuntime
import Foundation

enum BatchExecutableCompiling {
    /// `single` with the batch-`batch` executable of `onnx` beside it (`model-bB.efx` in its
    /// folder), or `single` alone when the model cannot run batched (a note goes to `log`).
    static func runs(_ single: EdgeflowModel, onnx: URL, batch: Int,
                     log: (String) -> Void) throws -> BatchedModel {
        guard batch >= 2 else { return try BatchedModel(single: single) }
        let efx = onnx.deletingLastPathComponent().appendingPathComponent("model-b\(batch).efx")
        let fresh = !FolderModelCompiling.isCurrent(efx, comparedWith: onnx)
        do {
            let shape = [batch] + single.inputs[0].shape.dropFirst()
            let model = try FolderModelCompiling.executable(onnx: onnx, efx: efx, inputShape: shape,
                                                            relabelBatch: true, log: log)
            let runs = try BatchedModel(single: single, batch: model)
            if fresh { try check(runs) }
            return runs
        } catch {
            try? FileManager.default.removeItem(at: efx)
            let reason = (error as? EdgeflowError)?.message ?? "\(error)"
            log("\(onnx.path) does not run in batches of \(batch) (\(reason)); its inputs run one by one")
            return try BatchedModel(single: single)
        }
    }

    /// Throws unless `runs`' batch executable gives the single one's outputs (within 1e-4 of their
    /// largest value) on a batch of distinct synthetic inputs in [−1, 1].
    static func check(_ runs: BatchedModel) throws {
        let shape = runs.single.inputs[0].shape
        let count = shape.reduce(1, *)
        let items = (0 ..< runs.batchSize).map { (item: Int) -> Tensor in
            let scalars: [Float] = (0 ..< count).map { (index: Int) -> Float in
                let code: Int = (index &* (2 * item + 3) &+ item &* 37) % 255
                return Float(code) / 127.5 - 1
            }
            return Tensor(shape: shape, scalars: scalars)
        }
        let together = try runs.run(items)
        for (item, row) in zip(items, together) {
            let alone = try runs.single.run([runs.single.inputs[0].name: item])[runs.single.outputs[0].name]
            let want = alone?.scalars(as: Float.self) ?? [], got = row.scalars(as: Float.self)
            let scale = max(1e-6, want.map(abs).max() ?? 0)
            let difference = zip(want, got).map { abs($0 - $1) }.max() ?? .infinity
            guard want.count == got.count, difference <= 1e-4 * scale else {
                throw EdgeflowError(.invalidModel, "its batch differs from single runs by \(difference)")
            }
        }
    }
}
