// One model compiled twice: for a single item and for a batch of B. Items given together run in
// full batches of B on the batch executable (their inputs stacked on the leading axis, the
// output split back into rows), the rest one by one, so a caller never pads and never waits for
// a batch to fill. For models with one float32 input and one float32 output whose leading axis
// is the batch (image towers, face recognizers).

import EFCore

/// A single-item executable and, optionally, the same model compiled for a batch. Thread-safe.
public final class BatchedModel: Sendable {
    public let single: EdgeflowModel
    public let batch: EdgeflowModel?

    /// Items per run of `batch` (1 without one).
    public var batchSize: Int { batch?.inputs[0].shape[0] ?? 1 }

    /// Checks that `single` takes one float32 [1, …] input and gives one float32 [1, …] output,
    /// and that `batch` (optional) is the same with a leading B ≥ 2 on both.
    /// - Throws: `EdgeflowError.invalidModel` naming what differs.
    public init(single: EdgeflowModel, batch: EdgeflowModel? = nil) throws {
        self.single = single
        self.batch = batch
        try Self.check(single, items: 1)
        if let batch {
            let items = batch.inputs.first?.shape.first ?? 0
            try Self.check(batch, items: items)
            guard items >= 2, batch.inputs[0].shape.dropFirst() == single.inputs[0].shape.dropFirst(),
                  batch.outputs[0].shape.dropFirst() == single.outputs[0].shape.dropFirst() else {
                throw EdgeflowError(.invalidModel, "\(batch.name) is not \(single.name) for a batch: it takes "
                                        + "\(batch.inputs[0].shape) → \(batch.outputs[0].shape), the single one "
                                        + "\(single.inputs[0].shape) → \(single.outputs[0].shape)")
            }
        }
    }

    private static func check(_ model: EdgeflowModel, items: Int) throws {
        guard model.inputs.count == 1, model.outputs.count == 1,
              model.inputs[0].dtype == .float32, model.outputs[0].dtype == .float32,
              model.inputs[0].shape.first == items, model.outputs[0].shape.first == items else {
            throw EdgeflowError(.invalidModel, "\(model.name) does not take one float32 [\(items), …] input to one "
                                    + "float32 [\(items), …] output")
        }
    }

    /// The output of each of `items` (each shaped as `single`'s input), in order: full batches on
    /// `batch`, the rest on `single`. Batched outputs equal single runs within float rounding.
    /// - Throws: `EdgeflowError.invalidInput` for an item of another shape or dtype; the
    ///   executables' errors.
    public func run(_ items: [Tensor]) throws -> [Tensor] {
        let shape = single.inputs[0].shape
        for (index, item) in items.enumerated() where item.shape != shape || item.dtype != .float32 {
            throw EdgeflowError(.invalidInput, "item \(index) is \(item.dtype.rawValue)\(item.shape), not "
                                    + "float32\(shape)")
        }
        var outputs: [Tensor] = []
        outputs.reserveCapacity(items.count)
        var start = 0
        if let batch {
            let size = batchSize
            while items.count - start >= size {
                outputs += try run(batch, Array(items[start ..< start + size]))
                start += size
            }
        }
        for item in items[start...] { outputs += try run(single, [item]) }
        return outputs
    }

    /// Runs `model` on `items` (exactly its batch) stacked on the leading axis; the output in rows.
    private func run(_ model: EdgeflowModel, _ items: [Tensor]) throws -> [Tensor] {
        var scalars: [Float] = []
        scalars.reserveCapacity(items.count * items[0].count)
        for item in items { scalars += item.scalars(as: Float.self) }
        let input = Tensor(shape: model.inputs[0].shape, scalars: scalars)
        guard let output = try model.run([model.inputs[0].name: input])[model.outputs[0].name] else {
            throw EdgeflowError(.invalidModel, "\(model.name) gave no output")
        }
        let rows = output.scalars(as: Float.self)
        let rowShape = [1] + Array(output.shape.dropFirst())
        let width = rows.count / items.count
        return (0 ..< items.count).map { row in
            Tensor(shape: rowShape, scalars: Array(rows[row * width ..< (row + 1) * width]))
        }
    }
}
