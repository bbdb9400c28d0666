// The per-direction cells of the recurrent importers: one direction's weights (W[d]ᵀ, R[d]ᵀ,
// biases, initial state) and one step as core ops. LSTM: gates i, o, f, c; GRU: gates z, r, h
// with either reset placement (linear_before_reset); RNN: one activation.

import EFCore

/// One direction of a recurrent layer, as core ops.
protocol RecurrentCell {
    var initialH: String { get }
    /// The initial cell state (LSTM), nil for cells without one.
    var initialC: String? { get }
    /// X [T, B, I] · Wᵀ (+ the input bias): every step's input gates at once, [T, B, G·H].
    func inputProjection(_ x: String) throws -> String
    /// One step from the projected input at `t`: the new (h, c).
    func step(_ projected: String, t: Int, h: String, c: String?) throws -> (String, String?)
}

/// What LSTM and GRU cells share: slicing one direction's weights and states.
struct RecurrentWeights {
    let node: OnnxNode
    let ctx: ImportContext
    let hidden: Int, batch: Int, direction: Int, gates: Int

    /// Input `index` ([D, gates·H, K]) for this direction, transposed to [K, gates·H].
    func transposedSlice(_ index: Int, _ role: String) throws -> String {
        let value = try ctx.requiredInput(node, index, role)
        let shape = try ctx.type(value).shape
        guard shape.count == 3, shape[1] == gates * hidden, direction < shape[0] else {
            throw LoweringSupport.invalid(node, "\(role) has shape \(shape), not [directions, \(gates)×\(hidden), K]")
        }
        let one = try slice(value, axis: 0, direction, direction + 1, hint: "\(role)\(direction)")
        let matrix = try LoweringSupport.reshape(one, to: [shape[1], shape[2]], ctx, node, hint: "\(role)\(direction)m")
        return try ctx.emit(.transpose, [matrix], ["perm": .ints([1, 0])], from: node, hint: "\(role)\(direction)T")
    }

    /// B[d] split into its input and recurrent halves, [gates·H] each; nil without B.
    func biases() throws -> (input: String, recurrent: String)? {
        guard let b = ctx.input(node, 3) else { return nil }
        let width = gates * hidden
        let one = try slice(b, axis: 0, direction, direction + 1, hint: "B\(direction)")
        let flat = try LoweringSupport.reshape(one, to: [2 * width], ctx, node, hint: "B\(direction)f")
        return (try slice(flat, axis: 0, 0, width, hint: "Wb\(direction)"),
                try slice(flat, axis: 0, width, 2 * width, hint: "Rb\(direction)"))
    }

    /// The input and recurrent biases summed, [gates·H]; nil without B.
    func summedBias() throws -> String? {
        try biases().map { try binary("add", $0.input, $0.recurrent, "bias\(direction)") }
    }

    /// X [T, B, I] · `weights` (+ `bias`): every step's input gates at once.
    func project(_ x: String, _ weights: String, bias: String?) throws -> String {
        let product = try matMul(x, weights, "XW\(direction)")
        return try bias.map { try binary("add", product, $0, "XWb\(direction)") } ?? product
    }

    /// The initial state input `index` for this direction as [B, H], zeros when absent.
    func initial(_ index: Int, _ role: String, dtype: DType) throws -> String {
        guard let value = ctx.input(node, index) else {
            return try LoweringSupport.constant(0, dtype, shape: [batch, hidden], ctx, node, hint: "\(role)0")
        }
        let one = try slice(value, axis: 0, direction, direction + 1, hint: "\(role)\(direction)")
        return try LoweringSupport.reshape(one, to: [batch, hidden], ctx, node, hint: "\(role)\(direction)bh")
    }

    /// Row `t` of the projected input plus h · `recurrentWeights`: every gate before its activation,
    /// [B, gates·H] (LSTM and RNN; GRU applies its reset gate in between).
    func preActivation(_ projected: String, _ t: Int, h: String, _ recurrentWeights: String, _ tag: String)
        throws -> String {
        try binary("add", try row(projected, t, tag), try matMul(h, recurrentWeights, "hr\(tag)"), "gates\(tag)")
    }

    /// Row `t` of the projected input as [B, gates·H].
    func row(_ projected: String, _ t: Int, _ tag: String) throws -> String {
        let row = try slice(projected, axis: 0, t, t + 1, hint: "xw\(tag)")
        return try LoweringSupport.reshape(row, to: [batch, gates * hidden], ctx, node, hint: "xwbh\(tag)")
    }

    /// Gate `index` (of width H) of `value` [B, gates·H].
    func gate(_ value: String, _ index: Int, _ hint: String) throws -> String {
        try slice(value, axis: 1, index * hidden, (index + 1) * hidden, hint: hint)
    }

    func unary(_ fn: String, _ x: String, _ hint: String) throws -> String {
        try ctx.emit(.unary, [x], ["fn": .string(fn)], from: node, hint: hint)
    }

    func binary(_ fn: String, _ a: String, _ b: String, _ hint: String) throws -> String {
        try ctx.emit(.binary, [a, b], ["fn": .string(fn)], from: node, hint: hint)
    }

    func matMul(_ a: String, _ b: String, _ hint: String) throws -> String {
        try ctx.emit(.matMul, [a, b], [:], from: node, hint: hint)
    }

    /// `value[start..<end]` along `axis`.
    func slice(_ value: String, axis: Int, _ start: Int, _ end: Int, hint: String) throws -> String {
        let shape = try ctx.type(value).shape
        var starts = [Int](repeating: 0, count: shape.count), ends = shape
        starts[axis] = start
        ends[axis] = end
        return try ctx.emit(.slice, [value], ["starts": .ints(starts), "ends": .ints(ends),
                                              "steps": .ints([Int](repeating: 1, count: shape.count))],
                            from: node, hint: hint)
    }
}

/// An LSTM direction: it = σ(x·Wiᵀ + h·Riᵀ + Pi ⊙ c + b), ft likewise with Pf, gt = tanh(…);
/// c' = ft ⊙ c + it ⊙ gt, ot = σ(x·Woᵀ + h·Roᵀ + Po ⊙ c' + b), h' = ot ⊙ tanh(c'). The peephole
/// weights P [D, 3·H] (order i, o, f) are optional.
struct LSTMCell: RecurrentCell {
    let w: RecurrentWeights
    let inputWeights: String, recurrentWeights: String, bias: String?
    /// Pi, Po, Pf as [H] each, when the node has P.
    let peepholes: [String]?
    let initialH: String
    let initialC: String?

    init(_ node: OnnxNode, _ ctx: ImportContext, direction: Int, hidden: Int, batch: Int) throws {
        let w = RecurrentWeights(node: node, ctx: ctx, hidden: hidden, batch: batch, direction: direction, gates: 4)
        self.w = w
        inputWeights = try w.transposedSlice(1, "W")
        recurrentWeights = try w.transposedSlice(2, "R")
        bias = try w.summedBias()
        let dtype = try ctx.type(inputWeights).dtype
        initialH = try w.initial(5, "initial_h", dtype: dtype)
        initialC = try w.initial(6, "initial_c", dtype: dtype)
        peepholes = try ctx.input(node, 7).map { p in
            let shape = try ctx.type(p).shape
            guard shape.count == 2, shape[1] == 3 * hidden, direction < shape[0] else {
                throw LoweringSupport.invalid(node, "P has shape \(shape), not [directions, 3×\(hidden)]")
            }
            let one = try w.slice(p, axis: 0, direction, direction + 1, hint: "P\(direction)")
            let row = try LoweringSupport.reshape(one, to: [3 * hidden], ctx, node, hint: "P\(direction)f")
            return try (0..<3).map {
                try w.slice(row, axis: 0, $0 * hidden, ($0 + 1) * hidden, hint: "P\(direction)_\($0)")
            }
        }
    }

    func inputProjection(_ x: String) throws -> String {
        try w.project(x, inputWeights, bias: bias)
    }

    func step(_ projected: String, t: Int, h: String, c: String?) throws -> (String, String?) {
        let tag = "\(w.direction)_\(t)", previousC = c ?? initialC!
        let gates = try w.preActivation(projected, t, h: h, recurrentWeights, tag)
        // Gate `index` before its activation, plus the peephole `peephole` times `state`.
        func gate(_ index: Int, _ fn: String, _ name: String, peephole: Int? = nil, state: String? = nil)
            throws -> String {
            var value = try w.gate(gates, index, name + tag)
            if let peephole, let peepholes, let state {
                let seen = try w.binary("mul", peepholes[peephole], state, "p" + name + tag)
                value = try w.binary("add", value, seen, name + "p" + tag)
            }
            return try w.unary(fn, value, name + "a" + tag)
        }
        let i = try gate(0, "sigmoid", "i", peephole: 0, state: previousC)
        let f = try gate(2, "sigmoid", "f", peephole: 2, state: previousC)
        let g = try gate(3, "tanh", "g")
        let kept = try w.binary("mul", f, previousC, "fc\(tag)")
        let newC = try w.binary("add", kept, try w.binary("mul", i, g, "ig\(tag)"), "c\(tag)")
        let o = try gate(1, "sigmoid", "o", peephole: 1, state: newC)
        return (try w.binary("mul", o, try w.unary("tanh", newC, "tc\(tag)"), "h\(tag)"), newC)
    }
}

/// A GRU direction: zt, rt = σ(x·Wᵀ + h·Rᵀ + b); the candidate ht = tanh(x·Whᵀ + (rt ⊙ h)·Rhᵀ + …)
/// or, with linear_before_reset, tanh(x·Whᵀ + rt ⊙ (h·Rhᵀ + Rbh) + Wbh); h' = (1 − zt) ⊙ ht + zt ⊙ h.
struct GRUCell: RecurrentCell {
    let w: RecurrentWeights
    let linearBeforeReset: Bool
    let inputWeights: String, recurrentWeights: String
    let inputBias: String?, recurrentBias: String?
    let initialH: String
    var initialC: String? { nil }
    let one: String

    init(_ node: OnnxNode, _ ctx: ImportContext, direction: Int, hidden: Int, batch: Int,
         linearBeforeReset: Bool) throws {
        w = RecurrentWeights(node: node, ctx: ctx, hidden: hidden, batch: batch, direction: direction, gates: 3)
        self.linearBeforeReset = linearBeforeReset
        inputWeights = try w.transposedSlice(1, "W")
        recurrentWeights = try w.transposedSlice(2, "R")
        let biases = try w.biases()
        (inputBias, recurrentBias) = (biases?.input, biases?.recurrent)
        let dtype = try ctx.type(inputWeights).dtype
        initialH = try w.initial(5, "initial_h", dtype: dtype)
        one = try LoweringSupport.constant(1, dtype, ctx, node, hint: "one")
    }

    func inputProjection(_ x: String) throws -> String {
        try w.project(x, inputWeights, bias: inputBias)
    }

    func step(_ projected: String, t: Int, h: String, c: String?) throws -> (String, String?) {
        let tag = "\(w.direction)_\(t)"
        let x = try w.row(projected, t, tag)
        var recurrent = try w.matMul(h, recurrentWeights, "hr\(tag)")  // h·Rᵀ: z, r (and h when linear)
        if let recurrentBias { recurrent = try w.binary("add", recurrent, recurrentBias, "hrb\(tag)") }
        let z = try w.unary("sigmoid", try w.binary("add", try w.gate(x, 0, "xz\(tag)"),
                                                     try w.gate(recurrent, 0, "hz\(tag)"), "z0\(tag)"), "z\(tag)")
        let r = try w.unary("sigmoid", try w.binary("add", try w.gate(x, 1, "xr\(tag)"),
                                                     try w.gate(recurrent, 1, "hr1\(tag)"), "r0\(tag)"), "r\(tag)")
        let candidateInput: String
        if linearBeforeReset {
            candidateInput = try w.binary("mul", r, try w.gate(recurrent, 2, "hh\(tag)"), "rh\(tag)")
        } else {
            let rh = try w.binary("mul", r, h, "rh\(tag)")
            let rWeights = try w.slice(recurrentWeights, axis: 1, 2 * w.hidden, 3 * w.hidden, hint: "Rh\(tag)")
            var product = try w.matMul(rh, rWeights, "rhR\(tag)")
            if let recurrentBias {
                let hiddenBias = try w.slice(recurrentBias, axis: 0, 2 * w.hidden, 3 * w.hidden, hint: "Rbh\(tag)")
                product = try w.binary("add", product, hiddenBias, "rhRb\(tag)")
            }
            candidateInput = product
        }
        let candidate = try w.unary("tanh", try w.binary("add", try w.gate(x, 2, "xh\(tag)"), candidateInput,
                                                         "h0\(tag)"), "hc\(tag)")
        let keep = try w.binary("mul", z, h, "zh\(tag)")
        let fresh = try w.binary("mul", try w.binary("sub", one, z, "1mz\(tag)"), candidate, "nh\(tag)")
        return (try w.binary("add", fresh, keep, "h\(tag)"), nil)
    }
}

/// A simple RNN direction: h' = f(x·Wᵀ + h·Rᵀ + Wb + Rb), f one of tanh (the default), relu, sigmoid.
struct RNNCell: RecurrentCell {
    let w: RecurrentWeights
    let inputWeights: String, recurrentWeights: String, bias: String?
    let activation: String
    let initialH: String
    var initialC: String? { nil }

    init(_ node: OnnxNode, _ ctx: ImportContext, direction: Int, hidden: Int, batch: Int, activation: String) throws {
        let w = RecurrentWeights(node: node, ctx: ctx, hidden: hidden, batch: batch, direction: direction, gates: 1)
        self.w = w
        self.activation = activation
        inputWeights = try w.transposedSlice(1, "W")
        recurrentWeights = try w.transposedSlice(2, "R")
        bias = try w.summedBias()
        initialH = try w.initial(5, "initial_h", dtype: try ctx.type(inputWeights).dtype)
    }

    func inputProjection(_ x: String) throws -> String {
        try w.project(x, inputWeights, bias: bias)
    }

    func step(_ projected: String, t: Int, h: String, c: String?) throws -> (String, String?) {
        let tag = "\(w.direction)_\(t)"
        let sum = try w.preActivation(projected, t, h: h, recurrentWeights, tag)
        return (try w.unary(activation, sum, "h\(tag)"), nil)
    }
}
