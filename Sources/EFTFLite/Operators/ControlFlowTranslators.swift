// TFLite's control flow over subgraphs (docs/tflite.md, "Control flow"). WHILE(cond, body) is
// unrolled at import while the condition subgraph, translated on the current loop values, folds
// to a constant and the body gives the next values; from a condition known only at run time, or
// past 4,096 translated operators, the remaining iterations become a runtime loop (RuntimeWhile).
// IF(cond, then, else) with a constant condition translates the branch taken; with a condition
// known only at run time both branches are translated, each node guarded by the condition (only
// the branch taken runs), and every output is a `where`.
// Subgraphs are translated into the same graph as their caller, their inputs bound to the
// caller's values (4-D ones held NCHW as everywhere).

import EFCore
import EFONNX

enum ControlFlowTranslators {
    static let table: [Int32: OperatorTranslator] = [
        BuiltinOperator.whileLoop: translateWhile, BuiltinOperator.ifBranch: translateIf,
    ]

    /// The most operators (condition and body, over all iterations) a WHILE is unrolled to.
    static let maxUnrolledOperators = 4096

    /// A loop value or branch result: a constant (TFLite layout) or an IR value (held layout).
    enum Value {
        case constant(Tensor)
        case value(String)

        /// The same IR value, or constants of the same type and bytes.
        func isSame(as other: Value) -> Bool {
            switch (self, other) {
            case (.value(let a), .value(let b)): return a == b
            case (.constant(let a), .constant(let b)):
                return a.dtype == b.dtype && a.shape == b.shape
                    && a.withUnsafeBytes { x in b.withUnsafeBytes { y in x.elementsEqual(y) } }
            default: return false
            }
        }
    }

    /// The subgraphs an IF or WHILE operator uses (options fields 0 and 1 of IfOptions and
    /// WhileOptions), nil for other operators.
    static func subgraphs(of op: TFLiteOperator, _ model: TFLiteModel) throws -> [Int]? {
        let code = model.operatorCodes[op.opcodeIndex].builtinCode
        guard code == BuiltinOperator.whileLoop || code == BuiltinOperator.ifBranch else { return nil }
        let options = Options(op)
        return [try options.int(0), try options.int(1)]
    }

    private static func translateWhile(_ op: TFLiteOperator, _ ctx: TranslationContext) throws {
        let options = Options(op)
        let (cond, body) = (try options.int(0), try options.int(1))
        var values = try op.inputs.map { try value(of: $0, ctx) }
        guard op.outputs.count == values.count else {
            throw EdgeflowError(.invalidModel, "\(ctx.opDescription) has \(values.count) loop values but "
                + "\(op.outputs.count) outputs")
        }
        var iteration = 0
        var previous = values
        while true {
            let flag = try run(cond, "condition, iteration \(iteration)", values, ctx)
            guard flag.count == 1 else {
                throw EdgeflowError(.invalidModel, "\(ctx.opDescription): its condition gives \(flag.count) values")
            }
            if case .value(let computed) = flag[0] {  // known at run time only: a runtime loop checks it
                values = try runtimeWhile(op, cond: cond, body: body, from: values,
                                          previous: iteration > 0 ? previous : nil, initialCondition: computed, ctx)
                break
            }
            guard case .constant(let go) = flag[0], go.dtype == .bool, go.count == 1 else {
                throw EdgeflowError(.invalidModel, "\(ctx.opDescription): its condition is not one bool")
            }
            guard go.withUnsafeBytes({ $0[0] != 0 }) else { break }
            if iteration >= unrolledIterations(cond, body, ctx) {
                values = try runtimeWhile(op, cond: cond, body: body, from: values, previous: previous,
                                          initialCondition: nil, ctx)
                break
            }
            let next = try run(body, "body, iteration \(iteration)", values, ctx)
            guard next.count == op.outputs.count else {
                throw EdgeflowError(.invalidModel, "\(ctx.opDescription): body subgraph \(body) gives "
                    + "\(next.count) values for \(op.outputs.count) loop values")
            }
            // Nothing changed and the condition held: it holds forever.
            guard !zip(values, next).allSatisfy({ $0.isSame(as: $1) }) else {
                throw EdgeflowError(.unsupported, "\(ctx.opDescription) never ends: its body gives back the "
                    + "values it was given and its condition stays true")
            }
            (previous, values) = (values, next)
            iteration += 1
        }
        for (out, value) in zip(op.outputs, values) { try bind(out, value, ctx) }
    }

    private static func translateIf(_ op: TFLiteOperator, _ ctx: TranslationContext) throws {
        let options = Options(op)
        let (thenBranch, elseBranch) = (try options.int(0), try options.int(1))
        let condition = try ctx.input(op, 0, "condition")
        guard ctx.tensor(condition).typeCode == 6, ctx.shape(condition).elementCount == 1 else {
            throw EdgeflowError(.invalidModel, "\(ctx.opDescription): the condition must be one bool, not "
                + "\(TensorData.typeName(ctx.tensor(condition).typeCode)) \(ctx.shape(condition))")
        }
        let arguments = try op.inputs.dropFirst().map { try value(of: $0, ctx) }
        if let known = ctx.constant(condition) {
            let taken = known.withUnsafeBytes { $0[0] != 0 }
            let results = try run(taken ? thenBranch : elseBranch, taken ? "then" : "else", arguments, ctx)
            try bindAll(op, results, ctx)
            return
        }
        var scalar = try ctx.value(condition)
        if !ctx.shape(condition).isEmpty {
            scalar = ctx.emit("Reshape", [scalar, ctx.int64s([], hint: "scalar")], hint: scalar)
            try ctx.flush()
        }
        let thenResults = try ctx.importer.whileRunning(when: scalar, is: true) {
            try run(thenBranch, "then", arguments, ctx)
        }
        let elseResults = try ctx.importer.whileRunning(when: scalar, is: false) {
            try run(elseBranch, "else", arguments, ctx)
        }
        guard thenResults.count == op.outputs.count, elseResults.count == op.outputs.count else {
            throw EdgeflowError(.invalidModel, "\(ctx.opDescription) has \(op.outputs.count) outputs but its "
                + "branches give \(thenResults.count) and \(elseResults.count)")
        }
        for (index, out) in op.outputs.enumerated() {
            let chosen = try name(thenResults[index], ctx), other = try name(elseResults[index], ctx)
            let (thenType, elseType) = (ctx.importer.type(chosen), ctx.importer.type(other))
            guard thenType == elseType else {
                throw EdgeflowError(.unsupported, "\(ctx.opDescription): output \(index) is "
                    + "\(thenType.map { "\($0)" } ?? "?") in the then branch and \(elseType.map { "\($0)" } ?? "?") "
                    + "in the else branch; with a condition known only at run time both must agree")
            }
            let merged = chosen == other ? chosen : ctx.emit("Where", [scalar, chosen, other], hint: chosen)
            try bind(out, .value(merged), ctx)
        }
    }

    /// Translates subgraph `index` with its inputs bound to `inputs`; returns its outputs.
    static func run(_ index: Int, _ role: String, _ inputs: [Value],
                            _ ctx: TranslationContext) throws -> [Value] {
        let what = "\(ctx.opDescription), subgraph \(index) (\(role))"
        guard index > 0, index < ctx.model.subgraphs.count else {
            throw EdgeflowError(.invalidModel, "\(what) does not exist")
        }
        guard !ctx.activeSubgraphs.contains(index) else {
            throw EdgeflowError(.unsupported, "\(what) uses itself (recursion); Edgeflow unrolls control flow")
        }
        let sub = try TranslationContext(subgraph: index, of: ctx, scope: what,
                                         namePrefix: "\(ctx.current.index):\(ctx.current.name)/\(role)/")
        try ModelChecks.checkPublicTensors(sub.graph)
        try ctx.shared.takeOperators(sub.graph.operators.count, for: what)
        guard sub.graph.inputs.count == inputs.count else {
            throw EdgeflowError(.invalidModel, "\(what) takes \(sub.graph.inputs.count) inputs but is given "
                + "\(inputs.count)")
        }
        for (tensor, value) in zip(sub.graph.inputs, inputs) {
            switch value {
            case .constant(let constant): sub.setConstant(tensor, constant)
            case .value(let name): sub.bind(tensor, to: name)
            }
        }
        try TFLiteImporter.translateOperators(sub)
        return try sub.graph.outputs.map { try value(of: $0, sub) }
    }

    static func value(of index: Int, _ ctx: TranslationContext) throws -> Value {
        guard index >= 0 else { throw EdgeflowError(.invalidModel, "\(ctx.opDescription) lacks an input") }
        if let constant = ctx.constant(index) { return .constant(constant) }
        return .value(try ctx.value(index))
    }

    /// An IR value for `value` (a constant becomes an initializer, 4-D ones transposed to NCHW).
    static func name(_ value: Value, _ ctx: TranslationContext) throws -> String {
        switch value {
        case .value(let name): return name
        case .constant(let constant):
            return ctx.addInitializer(constant.rank == 4 ? try Layout.toNCHW(constant) : constant, hint: "branch")
        }
    }

    private static func bind(_ out: Int, _ value: Value, _ ctx: TranslationContext) throws {
        guard out >= 0, out < ctx.graph.tensors.count else {
            throw EdgeflowError(.invalidModel, "\(ctx.opDescription) writes tensor \(out), which does not exist")
        }
        switch value {
        case .constant(let constant): ctx.setConstant(out, constant)
        case .value(let name): ctx.bind(out, to: name)
        }
    }

    private static func bindAll(_ op: TFLiteOperator, _ values: [Value], _ ctx: TranslationContext) throws {
        guard values.count == op.outputs.count else {
            throw EdgeflowError(.invalidModel, "\(ctx.opDescription) has \(op.outputs.count) outputs but its "
                + "branch gives \(values.count)")
        }
        for (out, value) in zip(op.outputs, values) { try bind(out, value, ctx) }
    }
}
