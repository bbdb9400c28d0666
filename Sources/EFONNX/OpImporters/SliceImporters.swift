// ONNX importers for Slice, Split and Pad: resolve ONNX's bounds, clamping and axis lists into
// the explicit per-axis parameters of the core `slice` and `pad` ops.

import EFCore
import EFIR

enum SliceImporters {
    static let table: [String: OpImporter] = ["Slice": importSlice, "Split": importSplit, "Pad": importPad]

    /// Per-axis starts, ends and steps of an ONNX slice over `shape`, clamped as ONNX specifies
    /// (a negative step may end at -1, meaning "through index 0").
    static func resolveSlice(shape: [Int], starts: [Int], ends: [Int], axes: [Int]?, steps: [Int]?,
                             _ node: OnnxNode) throws -> (starts: [Int], ends: [Int], steps: [Int]) {
        let axes = axes ?? Array(0..<starts.count)
        let steps = steps ?? [Int](repeating: 1, count: starts.count)
        guard ends.count == starts.count, axes.count == starts.count, steps.count == starts.count else {
            throw LoweringSupport.invalid(node, "starts, ends, axes and steps differ in length")
        }
        var outStarts = [Int](repeating: 0, count: shape.count), outEnds = shape
        var outSteps = [Int](repeating: 1, count: shape.count)
        var seen = Set<Int>()
        for k in starts.indices {
            let axis = try LoweringSupport.axis(axes[k], rank: shape.count, node)
            guard axis < shape.count else { throw LoweringSupport.invalid(node, "slices a value of rank 0") }
            guard seen.insert(axis).inserted else {
                throw LoweringSupport.invalid(node,
                    "axis \(axis) is sliced twice")
            }
            let dim = shape[axis], step = steps[k]
            guard step != 0 else { throw LoweringSupport.invalid(node, "a step is 0") }
            var start = starts[k] < 0 ? starts[k] &+ dim : starts[k]
            var end = ends[k] < 0 ? ends[k] &+ dim : ends[k]
            if step > 0 {
                start = min(max(start, 0), dim)
                end = min(max(end, 0), dim)
            } else {
                start = min(max(start, 0), dim - 1)
                end = min(max(end, -1), dim - 1)
            }
            (outStarts[axis], outEnds[axis], outSteps[axis]) = (start, end, step)
        }
        return (outStarts, outEnds, outSteps)
    }

    private static func importSlice(_ node: OnnxNode, _ ctx: ImportContext) throws {
        let x = try ctx.requiredInput(node, 0, "data")
        let shape = try ctx.type(x).shape
        let bounds: (starts: [Int], ends: [Int], steps: [Int])
        if ctx.opset >= 10 {
            func operand(_ index: Int, _ role: String) throws -> [Int]? {
                try ctx.constantInput(node, index, role).map { try LoweringSupport.intValues($0, node, role) }
            }
            guard let starts = try operand(1, "starts"), let ends = try operand(2, "ends") else {
                throw LoweringSupport.invalid(node, "lacks starts or ends")
            }
            bounds = try resolveSlice(shape: shape, starts: starts, ends: ends, axes: try operand(3, "axes"),
                                      steps: try operand(4, "steps"), node)
        } else {
            bounds = try resolveSlice(shape: shape, starts: try LoweringSupport.requiredInts(node, "starts"),
                ends: try LoweringSupport.requiredInts(node, "ends"),
                                      axes: try node.attributeInts("axes"), steps: nil, node)
        }
        let attributes: Attributes = ["starts": .ints(bounds.starts), "ends": .ints(bounds.ends),
            "steps": .ints(bounds.steps)]
        try ctx.emit(.slice, [x], attributes, outputs: [try ElementwiseImporters.output(node)], from: node)
    }

    /// Split → one slice per requested output. Sizes come from the `split` attribute (before
    /// opset 13) or input, else equal parts (the last one smaller from opset 18).
    private static func importSplit(_ node: OnnxNode, _ ctx: ImportContext) throws {
        let x = try ctx.requiredInput(node, 0, "input")
        let shape = try ctx.type(x).shape
        let axis = try LoweringSupport.axis(try node.attributeInt("axis") ?? 0, rank: shape.count, node)
        let dim = shape[axis]
        var sizes = try MovementImporters.intsOperand(node, ctx, input: 1, since: 13, attribute: "split")
        if ctx.opset < 2, sizes == nil, let tensor = try ctx.constantInput(node, 1, "split") {
            sizes = try LoweringSupport.intValues(tensor, node, "split")  // opset 1 also took it as an input
        }
        if sizes == nil {
            let parts = try node.attributeInt("num_outputs") ?? node.outputs.count
            guard parts > 0, parts == node.outputs.count else {
                throw LoweringSupport.invalid(node,
                    "num_outputs \(parts) does not match its \(node.outputs.count) outputs")
            }
            let chunk = (dim + parts - 1) / parts
            sizes = (0..<parts).map { max(0, min(chunk, dim - $0 * chunk)) }
        }
        guard let sizes, sizes.count == node.outputs.count, sizes.allSatisfy({ $0 >= 0 && $0 <= dim }),
              (try? sizes.reduce(0) { try CheckedSize.add($0, $1, "split sizes") }) == dim else {
            throw LoweringSupport.invalid(node,
                "split sizes do not divide dim \(dim) into \(node.outputs.count) outputs")
        }
        var offset = 0
        for (size, output) in zip(sizes, node.outputs) {
            defer { offset += size }
            if output.isEmpty { continue }
            var starts = [Int](repeating: 0, count: shape.count), ends = shape
            starts[axis] = offset
            ends[axis] = offset + size
            let attributes: Attributes = ["starts": .ints(starts), "ends": .ints(ends),
                                          "steps": .ints([Int](repeating: 1, count: shape.count))]
            try ctx.emit(.slice, [x], attributes, outputs: [output], from: node)
        }
    }

    private static func importPad(_ node: OnnxNode, _ ctx: ImportContext) throws {
        let x = try ctx.requiredInput(node, 0, "data")
        let type = try ctx.type(x)
        let rank = type.shape.count
        let mode = try node.attributeString("mode") ?? "constant"
        guard ["constant", "reflect", "edge", "wrap"].contains(mode) else {
            throw LoweringSupport.unsupported(node, "pad mode '\(mode)' is not supported")
        }
        var pads: [Int]
        var value: Double = 0
        var runtimeValue: String?
        if ctx.opset >= 11 {
            pads = try LoweringSupport.intValues(try ctx.requiredConstantInput(node, 1, "pads"), node, "pads")
            if let name = ctx.input(node, 2) {
                if let constant = ctx.constant(name) {
                    guard constant.count == 1 else {
                        throw LoweringSupport.invalid(node,
                            "constant_value must be one element")
                    }
                    value = constant.doubleValues()[0]
                } else {
                    runtimeValue = name
                }
            }
            if let axes = try ctx.constantInput(node, 3, "axes") {
                let listed = try LoweringSupport.intValues(axes, node, "axes")
                    .map { try LoweringSupport.axis($0, rank: rank, node) }
                guard pads.count == 2 * listed.count else {
                    throw LoweringSupport.invalid(node,
                        "pads do not match axes")
                }
                var full = [Int](repeating: 0, count: 2 * rank)
                for (k, axis) in listed.enumerated() {
                    full[axis] = pads[k]
                    full[axis + rank] = pads[k + listed.count]
                }
                pads = full
            }
        } else {
            guard let attribute = try node.attributeInts("pads") ?? node.attributeInts("paddings") else {
                throw LoweringSupport.invalid(node, "lacks its pads attribute")
            }
            pads = attribute
            value = Double(try node.attributeFloat("value") ?? 0)
        }
        guard pads.count == 2 * rank else {
            throw LoweringSupport.invalid(node,
                "has \(pads.count) pads for rank \(rank)")
        }
        let out = try ElementwiseImporters.output(node)
        var attributes: Attributes = ["pads": .ints(pads), "mode": .string(mode), "value": .float(Float(value))]
        guard let runtimeValue, mode == "constant" else {
            try ctx.emit(.pad, [x], attributes, outputs: [out], from: node)
            return
        }
        // A run-time fill value: pad with zeros, then select the value outside the original region.
        let padded = try ctx.emit(.pad, [x], attributes, from: node, hint: "padded")
        attributes["value"] = .float(0)
        let ones = ctx.freshName("\(node.displayName)/inside")
        try ConstantTensors.emitRepeated(Tensor(scalar: true), shape: type.shape, output: ones, ctx, node)
        let inside = try ctx.emit(.pad, [ones], attributes, from: node, hint: "inside_mask")
        let fill = try ctx.type(runtimeValue).shape.count == 0 ? runtimeValue
            : try LoweringSupport.reshape(runtimeValue, to: [], ctx, node, hint: "value")
        try ctx.emit(.where, [inside, padded, fill], outputs: [out], from: node)
    }
}
