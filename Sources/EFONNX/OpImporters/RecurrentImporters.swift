// ONNX LSTM, GRU and RNN lowered onto core ops, unrolled over their static sequence length: the
// input projection of every step in one matMul, then per step the recurrent matMul, the gates
// and the state update (RecurrentCells.swift); a sequence too long to unroll runs each direction
// as a runtime loop of that step (RecurrentRuntimeLoop.swift). Forward, reverse and bidirectional; layout 0
// ([T, B, I]) and 1 ([B, T, I]); LSTM's peepholes; per-batch sequence lengths, known at import or
// at run time (RecurrentSequenceLengths). Default activations only; clipping and LSTM's coupled
// input-forget gates are refused with the attribute named.

import EFCore

enum RecurrentImporters {
    static let table: [String: OpImporter] = ["LSTM": importLSTM, "GRU": importGRU, "RNN": importRNN]
    /// The most steps unrolled; longer sequences run as a runtime loop.
    static let maxUnrolledSteps = 4096

    static func importLSTM(_ node: OnnxNode, _ ctx: ImportContext) throws {
        if try node.attributeInt("input_forget") ?? 0 != 0 {
            throw LoweringSupport.unsupported(node, "input_forget = 1")
        }
        try refuseUnsupported(node, ctx, activations: ["sigmoid", "tanh", "tanh"])
        try unroll(node, ctx) { direction, hidden, batch in
            try LSTMCell(node, ctx, direction: direction, hidden: hidden, batch: batch)
        }
    }

    static func importGRU(_ node: OnnxNode, _ ctx: ImportContext) throws {
        try refuseUnsupported(node, ctx, activations: ["sigmoid", "tanh"])
        let linearBeforeReset = try node.attributeInt("linear_before_reset") ?? 0 != 0
        try unroll(node, ctx) { direction, hidden, batch in
            try GRUCell(node, ctx, direction: direction, hidden: hidden, batch: batch,
                        linearBeforeReset: linearBeforeReset)
        }
    }

    /// RNN with one activation for every direction: Tanh (the default), Relu or Sigmoid.
    static func importRNN(_ node: OnnxNode, _ ctx: ImportContext) throws {
        let named = try node.attributeStrings("activations") ?? []
        let activations = Set(named.map { $0.lowercased() })
        let activation = activations.first ?? "tanh"
        guard activations.count <= 1, ["tanh", "relu", "sigmoid"].contains(activation) else {
            throw LoweringSupport.unsupported(node, "activations \(named) (one of Tanh, Relu, Sigmoid for every "
                                                  + "direction is)")
        }
        try refuseUnsupported(node, ctx, activations: nil)
        try unroll(node, ctx) { direction, hidden, batch in
            try RNNCell(node, ctx, direction: direction, hidden: hidden, batch: batch, activation: activation)
        }
    }

    /// The steps of every direction, then the outputs Y [T, D, B, H], Y_h and Y_c (LSTM) [D, B, H]
    /// (layout 1: [B, T, D, H] and [B, D, H]).
    private static func unroll(_ node: OnnxNode, _ ctx: ImportContext,
                               cell makeCell: (Int, Int, Int) throws -> any RecurrentCell) throws {
        let hidden = try LoweringSupport.requiredInt(node, "hidden_size")
        let direction = try node.attributeString("direction") ?? "forward"
        let layout = try node.attributeInt("layout") ?? 0
        guard ["forward", "reverse", "bidirectional"].contains(direction), [0, 1].contains(layout) else {
            throw LoweringSupport.unsupported(node, "direction '\(direction)' with layout \(layout)")
        }
        var x = try ctx.requiredInput(node, 0, "X")
        if layout == 1 { x = try ctx.emit(.transpose, [x], ["perm": .ints([1, 0, 2])], from: node, hint: "X_tbi") }
        let xShape = try ctx.type(x).shape
        guard xShape.count == 3, xShape[0] >= 1, hidden >= 1 else {
            throw LoweringSupport.unsupported(node, "X of shape \(xShape) with hidden_size \(hidden)")
        }
        let (steps, batch) = (xShape[0], xShape[1])
        let lengths = try RecurrentSequenceLengths(node, ctx, steps: steps, batch: batch, hidden: hidden,
                                                   dtype: try ctx.type(x).dtype)
        let atRunTime = steps > maxUnrolledSteps
        if atRunTime && lengths != nil {
            throw LoweringSupport.unsupported(node, "sequence_lens over \(steps) steps (more than \(maxUnrolledSteps) "
                                                  + "run as a runtime loop, which takes no per-entry lengths)")
        }
        let directions = direction == "bidirectional" ? 2 : 1
        var ys: [String] = [], hs: [String] = [], cs: [String] = []
        for d in 0..<directions {
            let reverse = direction == "reverse" || d == 1
            let cell = try makeCell(d, hidden, batch)
            let (y, h, c) = atRunTime
                ? try runtimeDirection(node, ctx, cell: cell, x: x, direction: d, reverse: reverse, steps: steps,
                                       batch: batch, hidden: hidden)
                : try unrolledDirection(node, ctx, cell: cell, x: x, direction: d, reverse: reverse, lengths: lengths,
                                        steps: steps, batch: batch, hidden: hidden)
            ys.append(y)
            hs.append(try LoweringSupport.reshape(h, to: [1, batch, hidden], ctx, node, hint: "Y_h\(d)"))
            if let c { cs.append(try LoweringSupport.reshape(c, to: [1, batch, hidden], ctx, node, hint: "Y_c\(d)")) }
        }
        let results = [(ys, 1, [2, 0, 1, 3]), (hs, 0, [1, 0, 2]), (cs, 0, [1, 0, 2])]
        for (index, (parts, axis, perm)) in results.enumerated() where index < node.outputs.count {
            let name = node.outputs[index]
            guard !name.isEmpty, !parts.isEmpty else { continue }
            let joined = parts.count == 1 ? parts[0]
                : try ctx.emit(.concat, parts, ["axis": .int(axis)], from: node, hint: "out\(index)")
            if layout == 1 {
                try ctx.emit(.transpose, [joined], ["perm": .ints(perm)], outputs: [name], from: node)
            } else {
                ctx.alias(name, to: joined)
            }
        }
    }

    /// One direction unrolled: Y [T, 1, B, H] and the final h (and c), each [B, H].
    private static func unrolledDirection(_ node: OnnxNode, _ ctx: ImportContext, cell: any RecurrentCell, x: String,
                                          direction d: Int, reverse: Bool, lengths: RecurrentSequenceLengths?,
                                          steps: Int, batch: Int, hidden: Int) throws -> (String, String, String?) {
        // With lengths, a reverse direction runs forward over each entry's reversed prefix.
        let perEntry = reverse && lengths != nil
        let projected = try cell.inputProjection(try perEntry ? lengths!.reversedPrefixes(x) : x)
        var (h, c) = (cell.initialH, cell.initialC)
        var outputs = [String](repeating: "", count: steps)
        for t in reverse && !perEntry ? Array((0..<steps).reversed()) : Array(0..<steps) {
            let (newH, newC) = try cell.step(projected, t: t, h: h, c: c)
            var y = newH
            if let lengths {
                let inside = try lengths.inside(t)
                (y, h) = (try lengths.select(inside, newH, nil), try lengths.select(inside, newH, h))
                c = try newC.map { try lengths.select(inside, $0, c ?? cell.initialC!) }
            } else {
                (h, c) = (newH, newC)
            }
            outputs[t] = try LoweringSupport.reshape(y, to: [1, 1, batch, hidden], ctx, node, hint: "y\(d)_\(t)")
        }
        var y = steps == 1 ? outputs[0]
            : try ctx.emit(.concat, outputs, ["axis": .int(0)], from: node, hint: "Y\(d)")
        if perEntry, let lengths {
            let flat = try LoweringSupport.reshape(y, to: [steps, batch, hidden], ctx, node, hint: "Y\(d)_tbh")
            y = try LoweringSupport.reshape(try lengths.reversedPrefixes(flat), to: [steps, 1, batch, hidden], ctx,
                                            node, hint: "Y\(d)_in_order")
        }
        return (y, h, c)
    }

    /// Refuses clip and activations other than `defaults` (nil: checked by the caller).
    private static func refuseUnsupported(_ node: OnnxNode, _ ctx: ImportContext, activations defaults: [String]?)
        throws {
        if try node.attributeFloat("clip") != nil { throw LoweringSupport.unsupported(node, "the clip attribute") }
        if let defaults, let activations = try node.attributeStrings("activations"), !activations.isEmpty,
           activations.map({ $0.lowercased() })
            != Array(repeating: defaults, count: max(1, activations.count / defaults.count)).flatMap({ $0 }) {
            let expected = defaults.joined(separator: ", ")
            throw LoweringSupport.unsupported(node, "activations \(activations) (\(expected) are)")
        }
    }
}

