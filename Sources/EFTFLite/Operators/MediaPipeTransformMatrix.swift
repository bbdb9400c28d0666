// MediaPipe's Landmarks2TransformMatrix (version 2), the custom op with which its attention face
// mesh finds the crop around the lips and each eye (mediapipe/util/tflite/operations/
// landmarks_to_transform_matrix.cc), built from core ops. Input: landmarks [1, N, 3] (x, y, z).
// The rotation is target − atan2(y_r − y_l, x_r − x_l) between two landmarks; the subset's
// landmarks, turned by that rotation, give a box (min and max per axis) whose centre, turned
// back, is the crop's centre. Output [1, 4, 4]: shift(centre) · rotate(−rotation) ·
// scale(scale · box size / output size) · shift(−output size / 2), the matrix that maps an
// output_width × output_height grid onto the landmarks' plane. Options (FlexBuffers):
// subset_idxs (pairs; an odd last index stands alone), left_rotation_idx, right_rotation_idx,
// target_rotation_radians, output_width, output_height, scale_x, scale_y.

import EFCore
import Foundation

enum MediaPipeTransformMatrix {
    static let customCode = "Landmarks2TransformMatrix"

    static func translate(_ op: TFLiteOperator, _ ctx: TranslationContext) throws {
        try MediaPipeOps.requireVersion(2, op, ctx)
        let options = try FlexBufferMap(bytes: op.customOptions, what: ctx.opDescription)
        let landmarks = try ctx.input(op, 0, "landmarks")
        let shape = ctx.shape(landmarks)
        let count = shape.count == 3 && shape[0] == 1 && shape[2] == 3 ? shape[1] : 0
        let subset = options.intVectors["subset_idxs"] ?? []
        let (left, right) = (try options.int("left_rotation_idx", -1), try options.int("right_rotation_idx", -1))
        let size = [try options.int("output_width", 0), try options.int("output_height", 0)]
        let scale = [options.float("scale_x", 0), options.float("scale_y", 0)]
        guard count > 0, !subset.isEmpty, ([left, right] + subset).allSatisfy({ (0..<count).contains($0) }),
              size.allSatisfy({ (1...65_536).contains($0) }), scale.allSatisfy({ $0 > 0 && $0.isFinite }),
              ctx.shape(try ctx.output(op)) == [1, 4, 4] else {
            throw EdgeflowError(.invalidModel, "\(ctx.opDescription): landmarks \(shape) (need [1, N, 3]), "
                + "rotation landmarks \(left), \(right), \(subset.count) subset indices (each below N), output "
                + "size \(size) and scale \(scale) (positive) do not fit")
        }
        let b = MediaPipeOps.Builder(ctx)
        let points = try ctx.value(landmarks)
        func coordinate(_ row: Int, _ column: Int) -> String {
            b.slice(b.slice(points, axis: 1, row, row + 1), axis: 2, column, column + 1)
        }
        // cos and sin of θ = atan2(dy, dx) as dx/|d| and dy/|d| (θ = 0 when both are 0).
        let dx = b.sub(coordinate(right, 0), coordinate(left, 0))
        let dy = b.sub(coordinate(right, 1), coordinate(left, 1))
        let length = ctx.emit("Sqrt", [b.add(b.mul(dx, dx), b.mul(dy, dy))], hint: "length")
        let turned = ctx.emit("Greater", [length, b.scalar(0)], hint: "turned")
        let cosTheta = ctx.emit("Where", [turned, b.div(dx, length), b.scalar(1)], hint: "cos")
        let sinTheta = ctx.emit("Where", [turned, b.div(dy, length), b.scalar(0)], hint: "sin")
        // The rotation r = target − θ:
        // cos r = cos t·cos θ + sin t·sin θ, sin r = sin t·cos θ − cos t·sin θ.
        let target = options.float("target_rotation_radians", 0)
        let (cosTarget, sinTarget) = (Float(cos(Double(target))), Float(sin(Double(target))))
        let c = b.add(b.mul(cosTheta, b.scalar(cosTarget)), b.mul(sinTheta, b.scalar(sinTarget)))
        let s = b.sub(b.mul(cosTheta, b.scalar(sinTarget)), b.mul(sinTheta, b.scalar(cosTarget)))
        // The subset turned by r, its box, and the box's centre turned back by −r.
        let picked = ctx.emit("Gather", [points, ctx.int64s(subset, hint: "subset")], ["axis": .int(1)], hint: "subset")
        let (x, y) = (b.slice(picked, axis: 2, 0, 1), b.slice(picked, axis: 2, 1, 2))
        let turnedX = b.sub(b.mul(c, x), b.mul(s, y)), turnedY = b.add(b.mul(s, x), b.mul(c, y))
        func extremes(_ value: String) -> (low: String, high: String) {
            (ctx.emit("ReduceMin", [value], ["axes": .ints([1]), "keepdims": .int(1)], hint: "low"),
             ctx.emit("ReduceMax", [value], ["axes": .ints([1]), "keepdims": .int(1)], hint: "high"))
        }
        let (boxX, boxY) = (extremes(turnedX), extremes(turnedY))
        let middleX = b.div(b.add(boxX.low, boxX.high), b.scalar(2))
        let middleY = b.div(b.add(boxY.low, boxY.high), b.scalar(2))
        let cropX = b.add(b.mul(c, middleX), b.mul(s, middleY))
        let cropY = b.add(b.mul(b.neg(s), middleX), b.mul(c, middleY))
        let scaleX = b.div(b.mul(b.scalar(scale[0]), b.sub(boxX.high, boxX.low)), b.scalar(Float(size[0])))
        let scaleY = b.div(b.mul(b.scalar(scale[1]), b.sub(boxY.high, boxY.low)), b.scalar(Float(size[1])))
        let (t00, t01) = (b.mul(c, scaleX), b.mul(s, scaleY))
        let (t10, t11) = (b.mul(b.neg(s), scaleX), b.mul(c, scaleY))
        let (shiftX, shiftY) = (b.scalar(-Float(size[0]) / 2), b.scalar(-Float(size[1]) / 2))
        let t03 = b.add(b.add(b.mul(t00, shiftX), b.mul(t01, shiftY)), cropX)
        let t13 = b.add(b.add(b.mul(t10, shiftX), b.mul(t11, shiftY)), cropY)
        let (zero, one) = (b.scalar(0), b.scalar(1))
        let entries = [t00, t01, zero, t03, t10, t11, zero, t13, zero, zero, one, zero, zero, zero, zero, one]
        let row = ctx.emit("Concat", entries, ["axis": .int(2)], hint: "matrix")
        ctx.emit("Reshape", [row, ctx.int64s([1, 4, 4], hint: "shape")], output: ctx.outputName(try ctx.output(op)),
                 hint: "matrix")
    }
}
