// ONNX LSTM lowered onto core ops, unrolled over its static sequence length: the input
// projection of every step in one matMul, then per step the recurrent matMul, the four gates
// (ONNX order i, o, f, c; default activations sigmoid/tanh/tanh) and the cell update. Forward,
// reverse and bidirectional; layout 0 ([T, B, I]) and 1 ([B, T, I]). Peepholes, clipping,
// coupled input-forget gates, other activations and per-batch sequence lengths are refused
// with the attribute named.

import EFCore

enum RecurrentImporters {
    static let table: [String: OpImporter] = ["LSTM": importLSTM]
    /// The most steps unrolled; longer sequences would need a runtime loop, which is not built.
    static let maxUnrolledSteps = 4096

    static func importLSTM(_ node: OnnxNode, _ ctx: ImportContext) throws {
        try refuseUnsupported(node, ctx)
        let hidden = try LoweringSupport.requiredInt(node, "hidden_size")
        let direction = try node.attributeString("direction") ?? "forward"
        let layout = try node.attributeInt("layout") ?? 0
        guard ["forward", "reverse", "bidirectional"].contains(direction), [0, 1].contains(layout) else {
            throw LoweringSupport.unsupported(node, "direction '\(direction)' with layout \(layout)")
        }
        var x = try ctx.requiredInput(node, 0, "X")
        if layout == 1 { x = try ctx.emit(.transpose, [x], ["perm": .ints([1, 0, 2])], from: node, hint: "X_tbi") }
        let xShape = try ctx.type(x).shape
        guard xShape.count == 3, (1...maxUnrolledSteps).contains(xShape[0]), hidden >= 1 else {
            throw LoweringSupport.unsupported(node, "X of shape \(xShape) (at most \(maxUnrolledSteps) steps "
                                                  + "are unrolled; longer sequences need a runtime loop)")
        }
        let (steps, batch) = (xShape[0], xShape[1])
        let directions = direction == "bidirectional" ? 2 : 1
        var ys: [String] = [], hs: [String] = [], cs: [String] = []
        for d in 0..<directions {
            let reverse = direction == "reverse" || d == 1
            let cell = try LSTMCell(node, ctx, direction: d, hidden: hidden, batch: batch)
            let projected = try cell.inputProjection(x)
            var (h, c) = (cell.initialH, cell.initialC)
            var outputs = [String](repeating: "", count: steps)
            for t in reverse ? Array((0..<steps).reversed()) : Array(0..<steps) {
                (h, c) = try cell.step(projected, t: t, h: h, c: c)
                outputs[t] = try LoweringSupport.reshape(h, to: [1, 1, batch, hidden], ctx, node, hint: "y\(d)_\(t)")
            }
            ys.append(steps == 1 ? outputs[0]
                      : try ctx.emit(.concat, outputs, ["axis": .int(0)], from: node, hint: "Y\(d)"))
            hs.append(try LoweringSupport.reshape(h, to: [1, batch, hidden], ctx, node, hint: "Y_h\(d)"))
            cs.append(try LoweringSupport.reshape(c, to: [1, batch, hidden], ctx, node, hint: "Y_c\(d)"))
        }
        let results = [(ys, 1, [2, 0, 1, 3]), (hs, 0, [1, 0, 2]), (cs, 0, [1, 0, 2])]
        for (index, (parts, axis, perm)) in results.enumerated() where index < node.outputs.count {
            let name = node.outputs[index]
            guard !name.isEmpty else { continue }
            let joined = parts.count == 1 ? parts[0]
                : try ctx.emit(.concat, parts, ["axis": .int(axis)], from: node, hint: "out\(index)")
            if layout == 1 {
                try ctx.emit(.transpose, [joined], ["perm": .ints(perm)], outputs: [name], from: node)
            } else {
                ctx.alias(name, to: joined)
            }
        }
    }

    private static func refuseUnsupported(_ node: OnnxNode, _ ctx: ImportContext) throws {
        if try node.attributeFloat("clip") != nil { throw LoweringSupport.unsupported(node, "the clip attribute") }
        if try node.attributeInt("input_forget") ?? 0 != 0 {
            throw LoweringSupport.unsupported(node, "input_forget = 1")
        }
        if let activations = try node.attributeStrings("activations"),
           !activations.isEmpty, activations.map({ $0.lowercased() }) != Array(
            repeating: ["sigmoid", "tanh", "tanh"], count: activations.count / 3).flatMap({ $0 }) {
            throw LoweringSupport.unsupported(node, "activations \(activations) (sigmoid, tanh, tanh are)")
        }
        if ctx.input(node, 7) != nil { throw LoweringSupport.unsupported(node, "peephole weights (input P)") }
        if ctx.input(node, 4) != nil {
            throw LoweringSupport.unsupported(node, "sequence_lens (per-batch lengths)",
                                              hint: "export the model without sequence_lens")
        }
    }
}

/// One direction's weights and the step it computes, as core ops.
private struct LSTMCell {
    let node: OnnxNode
    let ctx: ImportContext
    let hidden: Int, batch: Int, direction: Int
    /// W[d]ᵀ [I, 4H], R[d]ᵀ [H, 4H], Wb[d] + Rb[d] [4H] (nil without B).
    let inputWeights: String, recurrentWeights: String, bias: String?
    let initialH: String, initialC: String

    init(_ node: OnnxNode, _ ctx: ImportContext, direction: Int, hidden: Int, batch: Int) throws {
        (self.node, self.ctx, self.direction, self.hidden, self.batch) = (node, ctx, direction, hidden, batch)
        func transposedSlice(_ index: Int, _ role: String) throws -> String {
            let value = try ctx.requiredInput(node, index, role)
            let shape = try ctx.type(value).shape
            guard shape.count == 3, shape[1] == 4 * hidden, direction < shape[0] else {
                throw LoweringSupport.invalid(node, "\(role) has shape \(shape), not [directions, 4×\(hidden), K]")
            }
            let one = try Self.slice(value, axis: 0, direction, direction + 1, ctx, node, hint: "\(role)\(direction)")
            let matrix = try LoweringSupport.reshape(one, to: [shape[1], shape[2]], ctx, node, hint: "\(role)\(direction)m")
            return try ctx.emit(.transpose, [matrix], ["perm": .ints([1, 0])], from: node, hint: "\(role)\(direction)T")
        }
        inputWeights = try transposedSlice(1, "W")
        recurrentWeights = try transposedSlice(2, "R")
        if let b = ctx.input(node, 3) {
            let one = try Self.slice(b, axis: 0, direction, direction + 1, ctx, node, hint: "B\(direction)")
            let flat = try LoweringSupport.reshape(one, to: [8 * hidden], ctx, node, hint: "B\(direction)f")
            let wb = try Self.slice(flat, axis: 0, 0, 4 * hidden, ctx, node, hint: "Wb\(direction)")
            let rb = try Self.slice(flat, axis: 0, 4 * hidden, 8 * hidden, ctx, node, hint: "Rb\(direction)")
            bias = try ctx.emit(.binary, [wb, rb], ["fn": .string("add")], from: node, hint: "bias\(direction)")
        } else {
            bias = nil
        }
        let dtype = try ctx.type(inputWeights).dtype
        func initial(_ index: Int, _ role: String) throws -> String {
            guard let value = ctx.input(node, index) else {
                return try LoweringSupport.constant(0, dtype, shape: [batch, hidden], ctx, node, hint: "\(role)0")
            }
            let one = try Self.slice(value, axis: 0, direction, direction + 1, ctx, node, hint: "\(role)\(direction)")
            return try LoweringSupport.reshape(one, to: [batch, hidden], ctx, node, hint: "\(role)\(direction)bh")
        }
        initialH = try initial(5, "initial_h")
        initialC = try initial(6, "initial_c")
    }

    /// X [T, B, I] · Wᵀ (+ bias): every step's input gates at once, [T, B, 4H].
    func inputProjection(_ x: String) throws -> String {
        let product = try ctx.emit(.matMul, [x, inputWeights], [:], from: node, hint: "XW\(direction)")
        guard let bias else { return product }
        return try ctx.emit(.binary, [product, bias], ["fn": .string("add")], from: node, hint: "XWb\(direction)")
    }

    /// One step: the gates from the projected input at `t` and `h`, then the new (h, c).
    func step(_ projected: String, t: Int, h: String, c: String) throws -> (String, String) {
        let tag = "\(direction)_\(t)"
        let row = try Self.slice(projected, axis: 0, t, t + 1, ctx, node, hint: "xw\(tag)")
        let input = try LoweringSupport.reshape(row, to: [batch, 4 * hidden], ctx, node, hint: "xwbh\(tag)")
        let recurrent = try ctx.emit(.matMul, [h, recurrentWeights], [:], from: node, hint: "hr\(tag)")
        let gates = try binary("add", input, recurrent, "gates\(tag)")
        func gate(_ index: Int, _ fn: String, _ name: String) throws -> String {
            let part = try Self.slice(gates, axis: 1, index * hidden, (index + 1) * hidden, ctx, node, hint: name + tag)
            return try ctx.emit(.unary, [part], ["fn": .string(fn)], from: node, hint: name + "a" + tag)
        }
        let (i, o, f, g) = (try gate(0, "sigmoid", "i"), try gate(1, "sigmoid", "o"), try gate(2, "sigmoid", "f"),
                            try gate(3, "tanh", "g"))
        let newC = try binary("add", try binary("mul", f, c, "fc\(tag)"), try binary("mul", i, g, "ig\(tag)"), "c\(tag)")
        let squashed = try ctx.emit(.unary, [newC], ["fn": .string("tanh")], from: node, hint: "tc\(tag)")
        return (try binary("mul", o, squashed, "h\(tag)"), newC)
    }

    private func binary(_ fn: String, _ a: String, _ b: String, _ hint: String) throws -> String {
        try ctx.emit(.binary, [a, b], ["fn": .string(fn)], from: node, hint: hint)
    }

    /// `value[start..<end]` along `axis`.
    static func slice(_ value: String, axis: Int, _ start: Int, _ end: Int, _ ctx: ImportContext,
                      _ node: OnnxNode, hint: String) throws -> String {
        let shape = try ctx.type(value).shape
        var starts = [Int](repeating: 0, count: shape.count), ends = shape
        starts[axis] = start
        ends[axis] = end
        return try ctx.emit(.slice, [value], ["starts": .ints(starts), "ends": .ints(ends),
                                              "steps": .ints([Int](repeating: 1, count: shape.count))],
                            from: node, hint: hint)
    }
}
