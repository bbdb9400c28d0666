// MediaPipe's custom ops that apply a transform matrix [1, 4, 4] (its first two rows), version 2
// as its attention face mesh uses them (mediapipe/util/tflite/operations/), built from core ops:
// - TransformTensorBilinear: output pixel (x, y) of an NHWC map samples the input bilinearly at
//   (m00·x + m01·y + m03', m10·x + m11·y + m13'), where m·3' adds the half-pixel correction
//   (m·0 + m·1 − 1)/2; a position outside [0, W − 1] × [0, H − 1] gives 0 in every channel.
//   Imported as GridSample (bilinear, zeros, align_corners) masked by the bounds check.
// - TransformLandmarks: landmarks [1, N, D] (D = 2 or 3) to (m00·x + m01·y + m03,
//   m10·x + m11·y + m13[, z]).

import EFCore
import Foundation

enum MediaPipeTransforms {
    static let bilinearCode = "TransformTensorBilinear"
    static let landmarksCode = "TransformLandmarks"

    static func transformTensorBilinear(_ op: TFLiteOperator, _ ctx: TranslationContext) throws {
        try MediaPipeOps.requireVersion(2, op, ctx)
        let input = try ctx.input(op, 0, "input"), output = try ctx.output(op)
        let (inShape, outShape) = (ctx.shape(input), ctx.shape(output))
        guard inShape.count == 4, outShape.count == 4, inShape[0] == 1, outShape[0] == 1, inShape[3] == outShape[3],
              inShape[1] >= 2, inShape[2] >= 2, ctx.tensor(input).typeCode == 0 else {
            throw EdgeflowError(.unsupported, "\(ctx.opDescription): input \(inShape) and output \(outShape) do not "
                + "fit (Edgeflow reads one float32 NHWC map of at least 2 × 2, the output with its channels)")
        }
        let b = MediaPipeOps.Builder(ctx)
        let m = try b.matrixRows(try ctx.input(op, 1, "matrix"))
        let (height, width) = (outShape[1], outShape[2])
        // The output's columns [1, 1, W, 1] and rows [1, H, 1, 1] (Range, generated within the
        // importer's budget), broadcast against each other.
        func coordinates(_ count: Int, _ shape: [Int]) -> String {
            let range = ctx.emit("Range", [ctx.float32(0, hint: "start"), ctx.float32(Float(count), hint: "limit"),
                                           ctx.float32(1, hint: "delta")], hint: "coordinates")
            return ctx.emit("Reshape", [range, ctx.int64s(shape, hint: "shape")], hint: "coordinates")
        }
        let (xs, ys) = (coordinates(width, [1, 1, width, 1]), coordinates(height, [1, height, 1, 1]))
        func position(_ row: [String]) -> String {
            let half = b.scalar(0.5)
            let corrected = b.add(row[3], b.sub(b.add(b.mul(row[0], half), b.mul(row[1], half)), half))
            return b.add(b.add(b.mul(xs, row[0]), b.mul(ys, row[1])), corrected)
        }
        let (x, y) = (position(m.x), position(m.y))
        func inside(_ value: String, _ limit: Int) -> String {
            ctx.emit("And", [ctx.emit("GreaterOrEqual", [value, b.scalar(0)], hint: "inside"),
                             ctx.emit("LessOrEqual", [value, b.scalar(Float(limit - 1))], hint: "inside")],
                     hint: "inside")
        }
        let mask = ctx.emit("And", [inside(x, inShape[2]), inside(y, inShape[1])], hint: "inside")
        let normalized = ctx.emit("Concat", [b.sub(b.mul(x, b.scalar(2 / Float(inShape[2] - 1))), b.scalar(1)),
                                             b.sub(b.mul(y, b.scalar(2 / Float(inShape[1] - 1))), b.scalar(1))],
                                  ["axis": .int(3)], hint: "grid")
        let sampled = ctx.emit("GridSample", [try ctx.value(input), normalized],
                               ["mode": .string(Data("bilinear".utf8)), "padding_mode": .string(Data("zeros".utf8)),
                                "align_corners": .int(1)], hint: "sampled")
        let held = ctx.emit("Reshape", [mask, ctx.int64s([1, 1, height, width], hint: "shape")], hint: "inside")
        ctx.emit("Where", [held, sampled, b.scalar(0)], output: ctx.outputName(output), hint: "transformed")
    }

    static func transformLandmarks(_ op: TFLiteOperator, _ ctx: TranslationContext) throws {
        try MediaPipeOps.requireVersion(2, op, ctx)
        let landmarks = try ctx.input(op, 0, "landmarks"), output = try ctx.output(op)
        let shape = ctx.shape(landmarks)
        guard shape.count == 3, shape[0] == 1, [2, 3].contains(shape[2]), ctx.shape(output) == shape else {
            throw EdgeflowError(.unsupported, "\(ctx.opDescription): landmarks \(shape) and output "
                + "\(ctx.shape(output)) do not fit (Edgeflow reads [1, N, 2 or 3], the output of the same shape)")
        }
        let b = MediaPipeOps.Builder(ctx)
        let m = try b.matrixRows(try ctx.input(op, 1, "matrix"))
        let points = try ctx.value(landmarks)
        let (x, y) = (b.slice(points, axis: 2, 0, 1), b.slice(points, axis: 2, 1, 2))
        func row(_ r: [String]) -> String { b.add(b.add(b.mul(x, r[0]), b.mul(y, r[1])), r[3]) }
        let parts = [row(m.x), row(m.y)] + (shape[2] == 3 ? [b.slice(points, axis: 2, 2, 3)] : [])
        ctx.emit("Concat", parts, ["axis": .int(2)], output: ctx.outputName(output), hint: "landmarks")
    }
}

/// What the MediaPipe custom-op translators share.
enum MediaPipeOps {
    /// Refuses an operator whose registered version is not `version` (the other versions compute
    /// differently).
    static func requireVersion(_ version: Int32, _ op: TFLiteOperator, _ ctx: TranslationContext) throws {
        let found = op.opcodeIndex < ctx.model.operatorCodes.count ? ctx.model.operatorCodes[op.opcodeIndex].version : 0
        guard found == version else {
            throw EdgeflowError(.unsupported, "\(ctx.opDescription): version \(found); Edgeflow reads version "
                + "\(version) of this MediaPipe op")
        }
    }

    /// Emits small float32 arithmetic for one operator.
    struct Builder {
        let ctx: TranslationContext
        init(_ ctx: TranslationContext) { self.ctx = ctx }

        /// A float32 constant of shape [1, 1, 1] (it broadcasts against rank 3 and 4).
        func scalar(_ value: Float) -> String {
            ctx.addInitializer(Tensor(shape: [1, 1, 1], scalars: [value]), hint: "constant")
        }
        func add(_ a: String, _ b: String) -> String { ctx.emit("Add", [a, b], hint: "add") }
        func sub(_ a: String, _ b: String) -> String { ctx.emit("Sub", [a, b], hint: "sub") }
        func mul(_ a: String, _ b: String) -> String { ctx.emit("Mul", [a, b], hint: "mul") }
        func div(_ a: String, _ b: String) -> String { ctx.emit("Div", [a, b], hint: "div") }
        func neg(_ a: String) -> String { ctx.emit("Neg", [a], hint: "neg") }
        func slice(_ value: String, axis: Int, _ start: Int, _ end: Int) -> String {
            ctx.slice(value, axis: axis, start, end)
        }

        /// The entries of a transform matrix's first two rows, each [1, 1, 1].
        /// - Throws: `.invalidModel` unless the tensor is [1, 4, 4].
        func matrixRows(_ index: Int) throws -> (x: [String], y: [String]) {
            guard ctx.shape(index) == [1, 4, 4] else {
                throw EdgeflowError(.invalidModel, "\(ctx.opDescription): the transform matrix is "
                    + "\(ctx.shape(index)); MediaPipe's ops read [1, 4, 4]")
            }
            let flat = ctx.emit("Reshape", [try ctx.value(index), ctx.int64s([1, 1, 16], hint: "shape")],
                                hint: "matrix")
            let entries = (0..<8).map { slice(flat, axis: 2, $0, $0 + 1) }
            return (Array(entries[0..<4]), Array(entries[4..<8]))
        }
    }
}
