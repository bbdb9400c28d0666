// TFLite WHILE loops that cannot be unrolled: after 4,096 translated operators, or from a condition
// known only at run time, the remaining iterations become one runtime loop (docs/control-flow.md).
// Its body is the body subgraph followed by the condition subgraph on the new values, so the loop
// stops after the iteration whose values fail the condition, as WHILE does before the next one; a
// condition computed at run time is also checked before the first. Loop values the last unrolled
// iteration left unchanged (a bound, a constant table) stay bound as they are; the others (all of
// them when nothing was unrolled) are carried.

import EFCore
import EFONNX

extension ControlFlowTranslators {
    /// Iterations unrolled before the rest runs as a runtime loop: `maxUnrolledOperators` worth of
    /// the condition's and the body's operators, at least one.
    static func unrolledIterations(_ cond: Int, _ body: Int, _ ctx: TranslationContext) -> Int {
        let operators = [cond, body].reduce(0) { total, index in
            total + (ctx.model.subgraphs.indices.contains(index) ? ctx.model.subgraphs[index].operators.count : 0)
        }
        return max(1, maxUnrolledOperators / max(1, operators))
    }

    /// The WHILE's remaining iterations from `values` as a runtime loop, given the values of the
    /// iteration before (`previous`, nil when none was unrolled) and the condition on `values` when
    /// it is known only at run time (nil: it holds). Returns the final values.
    /// - Throws: `EdgeflowError.unsupported` when a value kept for the unrolled iterations changes
    ///   later, or the body's shapes depend on the iteration.
    static func runtimeWhile(_ op: TFLiteOperator, cond: Int, body: Int, from values: [Value], previous: [Value]?,
                             initialCondition: String?, _ ctx: TranslationContext) throws -> [Value] {
        let carried = values.indices.filter { index in previous.map { !values[index].isSame(as: $0[index]) } ?? true }
        let operands = try carried.map { try name(values[$0], ctx) }
        try ctx.flush()
        let finals = try ctx.importer.addWhileLoop(ctx.opDescription, carried: operands,
                                                   initialCondition: initialCondition) { placeholders in
            var inputs = values
            for (k, index) in carried.enumerated() { inputs[index] = .value(placeholders[k]) }
            let next = try run(body, "body (runtime loop)", inputs, ctx)
            guard next.count == values.count else {
                throw EdgeflowError(.invalidModel, "\(ctx.opDescription): body subgraph \(body) gives "
                    + "\(next.count) values for \(values.count) loop values")
            }
            for index in values.indices where !carried.contains(index) && !next[index].isSame(as: values[index]) {
                throw EdgeflowError(.unsupported, "\(ctx.opDescription): loop value \(index) stays the same over "
                    + "the unrolled iterations and then changes; Edgeflow cannot run that loop at run time")
            }
            let flag = try run(cond, "condition (runtime loop)", next, ctx)
            guard flag.count == 1 else {
                throw EdgeflowError(.invalidModel, "\(ctx.opDescription): its condition gives \(flag.count) values")
            }
            let results = try [name(flag[0], ctx)] + carried.map { try name(next[$0], ctx) }
            try ctx.flush()
            return results
        }
        var result = values
        for (k, index) in carried.enumerated() { result[index] = .value(finals[k]) }
        return result
    }
}
