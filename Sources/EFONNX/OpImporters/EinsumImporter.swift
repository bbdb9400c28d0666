// ONNX Einsum (opset 12) lowered onto core ops: diagonals of a repeated label by a gather over
// the flattened pair of axes, labels no one else needs summed by reduce, each pair of operands
// contracted by one batched matMul (float types; other dtypes multiply and reduce), and the
// result transposed into the output's order.

import EFCore
import EFIR

enum EinsumImporter {
    static let table: [String: OpImporter] = ["Einsum": importEinsum]

    /// An operand on the way: its IR value and the label of each axis.
    private struct Operand {
        var value: String
        var labels: [Int]
    }

    static func importEinsum(_ node: OnnxNode, _ ctx: ImportContext) throws {
        guard let equationText = try node.attributeString("equation") else {
            throw LoweringSupport.invalid(node, "lacks its required attribute 'equation'")
        }
        let values = try (0..<node.inputs.count).map { try ctx.requiredInput(node, $0, "Inputs[\($0)]") }
        guard !values.isEmpty else { throw LoweringSupport.invalid(node, "has no inputs") }
        let types = try values.map { try ctx.type($0) }
        guard types.allSatisfy({ $0.dtype == types[0].dtype }) else {
            throw LoweringSupport.invalid(node, "inputs differ in dtype: \(types.map(\.dtype.rawValue))")
        }
        let equation = try EinsumEquation(equationText, shapes: types.map(\.shape), node: node)
        let lowering = Lowering(node: node, ctx: ctx, equation: equation)
        var operands = try zip(values, equation.operands).map { try lowering.diagonals(Operand(value: $0, labels: $1)) }
        var result = operands.removeFirst()
        while !operands.isEmpty {
            let next = operands.removeFirst()
            let later = Set(equation.output).union(operands.flatMap(\.labels))
            result = try lowering.contract(result, next, keep: later)
        }
        result = try lowering.sum(result, keep: Set(equation.output))
        let perm = equation.output.map { label in result.labels.firstIndex(of: label) ?? 0 }
        var value = result.value
        if perm != Array(perm.indices) {
            value = try ctx.emit(.transpose, [value], ["perm": .ints(perm)], from: node, hint: "transposed")
        }
        let shape = equation.output.map { equation.sizes[$0] ?? 1 }
        _ = try LoweringSupport.reshape(value, to: shape, ctx, node, hint: "output", output: node.outputs[0])
    }

    /// The emitting steps, sharing the node, context and label sizes.
    private struct Lowering {
        let node: OnnxNode
        let ctx: ImportContext
        let equation: EinsumEquation

        func dims(_ value: String) throws -> [Int] { try ctx.type(value).shape }

        /// Takes the diagonal of every label the operand repeats: the two axes moved last,
        /// flattened, and every (n + 1)-th element gathered.
        func diagonals(_ operand: Operand) throws -> Operand {
            var current = operand
            while let (first, second) = Self.repeatedPair(current.labels) {
                let shape = try dims(current.value), n = shape[first]
                guard shape[second] == n else {
                    throw LoweringSupport.invalid(node, "takes the diagonal of label "
                        + "\(EinsumEquation.name(current.labels[first])) over sizes \(n) and \(shape[second])")
                }
                let others = current.labels.indices.filter { $0 != first && $0 != second }
                let moved = try ctx.emit(.transpose, [current.value], ["perm": .ints(others + [first, second])],
                                         from: node, hint: "diagonal_axes")
                let flat = try LoweringSupport.reshape(moved, to: others.map { shape[$0] } + [n * n], ctx, node,
                                                       hint: "diagonal_flat")
                let steps = ctx.addConstant(Tensor(shape: [n], scalars: (0..<n).map { Int64($0 * (n + 1)) }),
                                            hint: "\(node.displayName)/diagonal_indices")
                let value = try ctx.emit(.gather, [flat, steps], ["axis": .int(others.count)], from: node,
                                         hint: "diagonal")
                current = Operand(value: value, labels: others.map { current.labels[$0] } + [current.labels[first]])
            }
            return current
        }

        private static func repeatedPair(_ labels: [Int]) -> (Int, Int)? {
            for (i, label) in labels.enumerated() {
                if let j = labels[(i + 1)...].firstIndex(of: label) { return (i, j) }
            }
            return nil
        }

        /// Sums the axes whose labels are not in `keep`.
        func sum(_ operand: Operand, keep: Set<Int>) throws -> Operand {
            let axes = operand.labels.indices.filter { !keep.contains(operand.labels[$0]) }
            guard !axes.isEmpty else { return operand }
            let value = try ctx.emit(.reduce, [operand.value],
                                     ["fn": .string("sum"), "axes": .ints(axes), "keepDims": .int(0)],
                                     from: node, hint: "sum")
            return Operand(value: value, labels: operand.labels.filter { keep.contains($0) })
        }

        /// Contracts `a` with `b` over the labels both have and `keep` lacks; the result's labels
        /// are the shared kept ones (batch), then a's own, then b's own.
        func contract(_ a: Operand, _ b: Operand, keep: Set<Int>) throws -> Operand {
            let a = try sum(a, keep: keep.union(b.labels)), b = try sum(b, keep: keep.union(a.labels))
            let shared = a.labels.filter { b.labels.contains($0) }
            let batch = shared.filter { keep.contains($0) }, contracted = shared.filter { !keep.contains($0) }
            let aOwn = a.labels.filter { !shared.contains($0) }, bOwn = b.labels.filter { !shared.contains($0) }
            for label in contracted {
                let (m, n) = (try size(a, label), try size(b, label))
                guard m == n else {
                    throw LoweringSupport.unsupported(node, "label \(EinsumEquation.name(label)) is summed over "
                        + "sizes \(m) and \(n); broadcasting a summed label is not supported")
                }
            }
            let labels = batch + aOwn + bOwn
            guard try ctx.type(a.value).dtype.isFloatingPoint else {
                return try multiplyAndSum(a, b, order: labels + contracted, contracted: contracted.count)
            }
            let left = try arranged(a, batch, aOwn, contracted)
            let right = try arranged(b, batch, contracted, bOwn)
            let product = try ctx.emit(.matMul, [left, right], from: node, hint: "contraction")
            let batchDims = try dims(product).dropLast(2)
            let shape = Array(batchDims) + (try (aOwn.map { try size(a, $0) } + bOwn.map { try size(b, $0) }))
            return Operand(value: try LoweringSupport.reshape(product, to: shape, ctx, node, hint: "contracted"),
                           labels: labels)
        }

        /// `operand` transposed to [batch..., rows..., columns...] and reshaped to
        /// [batch dims..., product of rows, product of columns].
        private func arranged(_ operand: Operand, _ batch: [Int], _ rows: [Int], _ columns: [Int]) throws -> String {
            let value = try transposed(operand, to: batch + rows + columns)
            let shape = try batch.map { try size(operand, $0) } + [try product(operand, rows),
                                                                   try product(operand, columns)]
            return try LoweringSupport.reshape(value, to: shape, ctx, node, hint: "matrix")
        }

        /// For dtypes matMul does not take: both operands laid out in `order` (size 1 where an
        /// operand lacks a label), multiplied with broadcasting and summed over the last
        /// `contracted` axes.
        private func multiplyAndSum(_ a: Operand, _ b: Operand, order: [Int], contracted: Int) throws -> Operand {
            func aligned(_ operand: Operand) throws -> String {
                let value = try transposed(operand, to: order.filter { operand.labels.contains($0) })
                let shape = try order.map { operand.labels.contains($0) ? try size(operand, $0) : 1 }
                return try LoweringSupport.reshape(value, to: shape, ctx, node, hint: "aligned")
            }
            let product = try ctx.emit(.binary, [try aligned(a), try aligned(b)], ["fn": .string("mul")],
                                       from: node, hint: "product")
            return try sum(Operand(value: product, labels: order),
                           keep: Set(order.dropLast(contracted)))
        }

        private func transposed(_ operand: Operand, to labels: [Int]) throws -> String {
            let perm = labels.map { operand.labels.firstIndex(of: $0) ?? 0 }
            guard perm != Array(perm.indices) else { return operand.value }
            return try ctx.emit(.transpose, [operand.value], ["perm": .ints(perm)], from: node, hint: "arranged")
        }

        private func size(_ operand: Operand, _ label: Int) throws -> Int {
            try dims(operand.value)[operand.labels.firstIndex(of: label) ?? 0]
        }

        private func product(_ operand: Operand, _ labels: [Int]) throws -> Int {
            try labels.reduce(1) { $0 * (try size(operand, $1)) }
        }
    }
}
