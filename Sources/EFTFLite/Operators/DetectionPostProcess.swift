// TFLite_Detection_PostProcess, the last operator of TF's SSD and EfficientDet-Lite detectors, in
// its default "fast" form (use_regular_nms false, one class per detection; float32 or uint8
// inputs, uint8 ones dequantized as LiteRT does), built from core ops as
// LiteRT's kernel computes it: boxes decoded from anchor-relative centers and sizes in double and
// rounded to float; per anchor the best class score (the first best class); scores below
// nms_score_threshold dropped; then greedy non-maximum suppression unrolled max_detections times:
// the best remaining anchor (the first of equal scores, as LiteRT's stable sort) is taken and
// every anchor whose IoU with it exceeds nms_iou_threshold is dropped. Outputs: boxes [1, D, 4]
// (ymin, xmin, ymax, xmax), classes [1, D], scores [1, D] and the count [1], all float32; rows
// after the count are zeros (LiteRT leaves them unwritten). Options are a FlexBuffers map.

import EFCore
import EFONNX
import Foundation

enum DetectionPostProcess {
    static let customCode = "TFLite_Detection_PostProcess"

    /// Inputs: box encodings [1, A, ≥4] (y, x, h, w relative to the anchor), class scores
    /// [1, A, C or C + 1 with background first], anchors [A, 4] constant (y, x, h, w).
    static func translate(_ op: TFLiteOperator, _ ctx: TranslationContext) throws {
        let options = try FlexBufferMap(bytes: op.customOptions, what: ctx.opDescription)
        let detections = try options.int("max_detections", 0), classes = try options.int("num_classes", 0)
        guard try options.int("max_classes_per_detection", 1) == 1, !options.bool("use_regular_nms", false) else {
            throw EdgeflowError(.unsupported, "\(ctx.opDescription): Edgeflow runs the fast form (one class per "
                + "detection, use_regular_nms false)")
        }
        let encodings = try ctx.input(op, 0, "box encodings"), scores = try ctx.input(op, 1, "class predictions")
        let anchors = try dequantizedAnchors(op, ctx)
        let (boxShape, scoreShape) = (ctx.shape(encodings), ctx.shape(scores))
        let count = boxShape.count == 3 ? boxShape[1] : -1
        let offset = scoreShape.count == 3 ? scoreShape[2] - classes : -1
        // Ranks first: the subscripts below read the shapes' axes only once they are known to be there.
        guard boxShape.count == 3, scoreShape.count == 3, (1...1024).contains(detections), classes > 0, count > 0,
              boxShape[0] == 1, boxShape[2] >= 4, scoreShape[0] == 1, scoreShape[1] == count, (0...1).contains(offset),
              anchors.shape == [count, 4],
              op.outputs.count == 4, [encodings, scores].allSatisfy({ [0, 3].contains(ctx.tensor($0).typeCode) }) else {
            throw EdgeflowError(.unsupported, "\(ctx.opDescription): box encodings \(boxShape), class predictions "
                + "\(scoreShape), anchors \(anchors.shape), \(classes) classes and \(detections) detections do not fit "
                + "(Edgeflow reads float32 or uint8 inputs, batch 1, four outputs)")
        }
        let builder = Builder(ctx: ctx, count: count)
        let boxes = try builder.decode(try floatValue(encodings, ctx), width: boxShape[2], anchors: anchors,
                                       options: options)
        let scoreRows = ctx.emit("Reshape", [try floatValue(scores, ctx), ctx.int64s([count, classes + offset],
                                                                                    hint: "shape")], hint: "scores")
        let classScores = builder.slice(scoreRows, axis: 1, offset, classes + offset)
        let best = ctx.emit("ReduceMax", [classScores], ["axes": .ints([1]), "keepdims": .int(0)], hint: "best")
        let bestClass = ctx.emit("Cast", [ctx.emit("ArgMax", [classScores], ["axis": .int(1), "keepdims": .int(0)],
                                                   hint: "class")], ["to": .int(1)], hint: "class_float")
        let threshold = ctx.float32(options.float("nms_score_threshold", 0), hint: "score_threshold")
        var remaining = ctx.emit("Where", [ctx.emit("GreaterOrEqual", [best, threshold], hint: "kept"), best,
                                           builder.minusInfinity], hint: "candidates")
        var rows: [(box: String, label: String, score: String, valid: String)] = []
        for _ in 0..<detections {
            let step = builder.select(from: remaining, boxes: boxes, classes: bestClass,
                                      iouThreshold: options.float("nms_iou_threshold", 0))
            remaining = step.remaining
            rows.append((step.box, step.label, step.score, step.valid))
        }
        let names = op.outputs.map { ctx.outputName($0) }
        let boxRows = ctx.emit("Concat", rows.map(\.box), ["axis": .int(0)], hint: "boxes")
        ctx.emit("Reshape", [boxRows, ctx.int64s([1, detections, 4], hint: "shape")], output: names[0], hint: "boxes")
        ctx.emit("Concat", rows.map(\.label), ["axis": .int(1)], output: names[1], hint: "classes")
        ctx.emit("Concat", rows.map(\.score), ["axis": .int(1)], output: names[2], hint: "scores")
        let valid = ctx.emit("Concat", rows.map(\.valid), ["axis": .int(1)], hint: "valid")
        ctx.emit("ReduceSum", [valid, ctx.int64s([1], hint: "axes")], ["keepdims": .int(0)], output: names[3],
                 hint: "count")
    }

    /// A float32 input as it is, a uint8 one dequantized ((q − zero point) · scale, as LiteRT).
    private static func floatValue(_ index: Int, _ ctx: TranslationContext) throws -> String {
        ctx.tensor(index).typeCode == 0 ? try ctx.value(index) : try QuantTranslators.dequantized(index, ctx)
    }

    /// The constant anchors [A, 4] as float32 (uint8 ones dequantized with their parameters).
    private static func dequantizedAnchors(_ op: TFLiteOperator, _ ctx: TranslationContext) throws -> Tensor {
        let anchors = try ctx.constantInput(op, 2, "anchors")
        guard anchors.dtype == .uint8 else { return anchors }
        let q = try ctx.quantization(try ctx.input(op, 2, "anchors"))
        let values = anchors.scalars(as: UInt8.self).map { (Float($0) - Float(q.zeroPoint)) * q.scale }
        return Tensor(shape: anchors.shape, scalars: values)
    }
}
