// The pieces of TFLite_Detection_PostProcess (DetectionPostProcess.swift): box decoding as
// LiteRT's DecodeCenterSizeBoxes computes it (double, then float), and one step of greedy
// non-maximum suppression with LiteRT's IoU (0 when either box has no area; the intersection over
// area_i + area_j − intersection, in float). Per-anchor values are vectors [A].

import EFCore
import EFONNX

extension DetectionPostProcess {
    /// Decoded boxes: corners [A, 4] and each coordinate and the area as [A].
    struct Boxes {
        var corners: String
        var ymin: String, xmin: String, ymax: String, xmax: String, area: String
    }

    /// One selection: what is left [A], and the row it gives ([1, 4], [1, 1] ×3; valid 1 or 0).
    struct Step {
        var remaining: String, box: String, label: String, score: String, valid: String
    }

    struct Builder {
        let ctx: TranslationContext
        /// A, the number of anchors.
        let count: Int
        let minusInfinity: String

        init(ctx: TranslationContext, count: Int) {
            self.ctx = ctx
            self.count = count
            minusInfinity = ctx.float32(-.infinity, hint: "minus_infinity")
        }

        /// `value` sliced to [start, end) along `axis`.
        func slice(_ value: String, axis: Int, _ start: Int, _ end: Int) -> String {
            ctx.slice(value, axis: axis, start, end)
        }

        private func binary(_ opType: String, _ a: String, _ b: String) -> String {
            ctx.emit(opType, [a, b], hint: opType.lowercased())
        }

        private func double(_ values: [Double], hint: String) -> String {
            ctx.addInitializer(Tensor(shape: [values.count], scalars: values), hint: hint)
        }

        /// ycenter = y / y_scale · anchor h + anchor y, half height = 0.5 · exp(h / h_scale) · anchor h
        /// (and so for x, w) in double, each rounded to float; corners from those in float.
        func decode(_ encodings: String, width: Int, anchors: Tensor, options: FlexBufferMap) throws -> Boxes {
            let rows = ctx.emit("Reshape", [encodings, ctx.int64s([count, width], hint: "shape")], hint: "encodings")
            let wide = ctx.emit("Cast", [rows], ["to": .int(11)], hint: "encodings_double")
            let anchor = anchors.doubleValues()
            func column(_ index: Int) -> String {
                ctx.emit("Reshape", [slice(wide, axis: 1, index, index + 1), ctx.int64s([count], hint: "shape")],
                         hint: "column")
            }
            func anchorColumn(_ index: Int) -> String {
                double((0..<count).map { anchor[$0 * 4 + index] }, hint: "anchor")
            }
            func scale(_ key: String) -> String {
                ctx.addInitializer(Tensor(scalar: Double(options.float(key, 0))), hint: key)
            }
            func float(_ value: String) -> String { ctx.emit("Cast", [value], ["to": .int(1)], hint: "float") }
            let half = ctx.addInitializer(Tensor(scalar: 0.5), hint: "half")
            let (ay, ax, ah, aw) = (anchorColumn(0), anchorColumn(1), anchorColumn(2), anchorColumn(3))
            let yc = float(binary("Add", binary("Mul", binary("Div", column(0), scale("y_scale")), ah), ay))
            let xc = float(binary("Add", binary("Mul", binary("Div", column(1), scale("x_scale")), aw), ax))
            func exp(_ value: String) -> String { ctx.emit("Exp", [value], hint: "exp") }
            let halfH = float(binary("Mul", binary("Mul", half, exp(binary("Div", column(2), scale("h_scale")))), ah))
            let halfW = float(binary("Mul", binary("Mul", half, exp(binary("Div", column(3), scale("w_scale")))), aw))
            let ymin = binary("Sub", yc, halfH), xmin = binary("Sub", xc, halfW)
            let ymax = binary("Add", yc, halfH), xmax = binary("Add", xc, halfW)
            let area = binary("Mul", binary("Sub", ymax, ymin), binary("Sub", xmax, xmin))
            let columns = [ymin, xmin, ymax, xmax].map { ctx.emit("Unsqueeze", [$0, ctx.int64s([1], hint: "axes")],
                                                                  hint: "corner") }
            let corners = ctx.emit("Concat", columns, ["axis": .int(1)], hint: "corners")
            return Boxes(corners: corners, ymin: ymin, xmin: xmin, ymax: ymax, xmax: xmax, area: area)
        }

        /// Takes the best remaining anchor and drops it and every anchor overlapping it by more
        /// than `iouThreshold`; an all −∞ `remaining` gives an invalid (zero) row.
        func select(from remaining: String, boxes: Boxes, classes: String, iouThreshold: Float) -> Step {
            let index = ctx.emit("ArgMax", [remaining], ["axis": .int(0), "keepdims": .int(1)], hint: "best_index")
            func pick(_ vector: String) -> String {
                ctx.emit("Gather", [vector, index], ["axis": .int(0)], hint: "pick")
            }
            let score = pick(remaining)
            let validFlag = binary("Greater", score, minusInfinity)
            // LiteRT's IoU of the selected box i with every box j.
            let (iy0, ix0, iy1, ix1, iArea) = (pick(boxes.ymin), pick(boxes.xmin), pick(boxes.ymax),
                                               pick(boxes.xmax), pick(boxes.area))
            let zero = ctx.float32(0, hint: "zero")
            let height = binary("Max", binary("Sub", binary("Min", iy1, boxes.ymax), binary("Max", iy0, boxes.ymin)),
                                zero)
            let width = binary("Max", binary("Sub", binary("Min", ix1, boxes.xmax), binary("Max", ix0, boxes.xmin)),
                               zero)
            let intersection = binary("Mul", height, width)
            let union = binary("Sub", binary("Add", iArea, boxes.area), intersection)
            let empty = ctx.emit("Or", [binary("LessOrEqual", iArea, zero), binary("LessOrEqual", boxes.area, zero)],
                                 hint: "no_area")
            let iou = ctx.emit("Where", [empty, zero, binary("Div", intersection, union)], hint: "iou")
            let positions = ctx.addInitializer(Tensor(shape: [count], scalars: (0..<count).map(Int64.init)),
                                               hint: "positions")
            let dropped = ctx.emit("Or", [binary("Greater", iou, ctx.float32(iouThreshold, hint: "iou_threshold")),
                                          binary("Equal", positions, index)], hint: "dropped")
            let left = ctx.emit("Where", [dropped, minusInfinity, remaining], hint: "remaining")
            let valid = ctx.emit("Cast", [validFlag], ["to": .int(1)], hint: "valid")
            func row(_ value: String, _ shape: [Int]) -> String {
                let kept = ctx.emit("Where", [validFlag, value, zero], hint: "row")
                return ctx.emit("Reshape", [kept, ctx.int64s(shape, hint: "shape")], hint: "row")
            }
            let box = ctx.emit("Gather", [boxes.corners, index], ["axis": .int(0)], hint: "box")
            let validRow = ctx.emit("Reshape", [valid, ctx.int64s([1, 1], hint: "shape")], hint: "valid")
            return Step(remaining: left, box: row(box, [1, 4]), label: row(pick(classes), [1, 1]),
                        score: row(score, [1, 1]), valid: validRow)
        }
    }
}
