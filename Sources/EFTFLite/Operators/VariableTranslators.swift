// TFLite's resource variables, the state of streaming models (microWakeWord's wake word
// detectors keep their past frames in them): CALL_ONCE runs an init subgraph that gives each
// variable its first value (VAR_HANDLE + ASSIGN_VARIABLE of constants), VAR_HANDLE names a
// variable, READ_VARIABLE reads its current value and ASSIGN_VARIABLE replaces it. Edgeflow
// follows the values through one invocation: by default every run starts from the init values,
// as LiteRT's first invocation does, and what the run assigns is read by later READ_VARIABLEs of
// that run. With `exposesState` (`edgeflow parse --state-io`) each initialized variable is also a
// graph input (its value before the run, named as the variable) and an output `NAME:next` (its
// value after), so a caller carries the state from run to run as LiteRT's interpreter does.

import EFCore
import EFIR
import EFONNX

enum VariableTranslators {
    static let table: [Int32: OperatorTranslator] = [
        BuiltinOperator.callOnce: callOnce, BuiltinOperator.varHandle: varHandle,
        BuiltinOperator.readVariable: readVariable, BuiltinOperator.assignVariable: assignVariable,
    ]

    /// The value a variable holds at a point of the translation.
    enum Value {
        case constant(Tensor)
        /// An IR value, held as the graph holds a tensor of its rank (NCHW for rank 4).
        case value(String)
    }

    /// The variables of one translation.
    struct State {
        /// Whether initialized variables are graph inputs and their last values outputs.
        var exposesState = false
        /// The variable each resource tensor of the main graph names.
        var resources: [Int: String] = [:]
        /// Each variable's current value.
        var values: [String: Value] = [:]
        /// The initialized variables in order, with their TFLite-order types.
        var initialized: [(name: String, type: TensorType)] = []
        /// The names in `initialized`.
        var initializedNames = Set<String>()
    }

    /// CALL_ONCE(init_subgraph_index): the init subgraph's assignments of constants, applied now.
    private static func callOnce(_ op: TFLiteOperator, _ ctx: TranslationContext) throws {
        let index = try Options(op).int(0)
        guard index > 0, index < ctx.model.subgraphs.count else {
            throw EdgeflowError(.invalidModel, "\(ctx.opDescription): init subgraph \(index) does not exist")
        }
        let subgraph = ctx.model.subgraphs[index]
        var resources: [Int: String] = [:]
        for (position, initOp) in subgraph.operators.enumerated() {
            let code = ctx.model.operatorCodes[initOp.opcodeIndex].builtinCode
            let what = "operator \(position) of init subgraph \(index)"
            switch code {
            case BuiltinOperator.varHandle:
                guard let out = initOp.outputs.first, out >= 0 else {
                    throw EdgeflowError(.invalidModel, "\(ctx.opDescription): \(what) has no output")
                }
                resources[out] = try name(initOp, ctx)
            case BuiltinOperator.assignVariable:
                guard initOp.inputs.count == 2, let variable = resources[initOp.inputs[0]], initOp.inputs[1] >= 0,
                      let value = try TensorData.constant(subgraph.tensors[initOp.inputs[1]], in: ctx.model) else {
                    throw EdgeflowError(.unsupported, "\(ctx.opDescription): \(what) assigns a variable something "
                        + "other than a constant")
                }
                try initialize(variable, value, ctx)
            default:
                throw EdgeflowError(.unsupported, "\(ctx.opDescription): \(what) is "
                    + "\(BuiltinOperator.name(code)); Edgeflow runs init subgraphs of VAR_HANDLE and ASSIGN_VARIABLE")
            }
        }
    }

    /// VAR_HANDLE(container, shared_name): a resource tensor naming the variable.
    private static func varHandle(_ op: TFLiteOperator, _ ctx: TranslationContext) throws {
        ctx.variables.resources[try ctx.output(op)] = try name(op, ctx)
    }

    /// READ_VARIABLE(resource): the variable's current value.
    private static func readVariable(_ op: TFLiteOperator, _ ctx: TranslationContext) throws {
        let variable = try resolved(op, ctx), out = try ctx.output(op)
        switch ctx.variables.values[variable] {
        case .constant(let value):
            guard value.shape == ctx.shape(out) else {
                throw EdgeflowError(.invalidModel, "\(ctx.opDescription): variable '\(variable)' holds "
                    + "\(value.shape), the output is declared \(ctx.shape(out))")
            }
            ctx.setConstant(out, value)
        case .value(let name):
            ctx.bind(out, to: name)
        case nil:
            throw EdgeflowError(.invalidModel, "\(ctx.opDescription): variable '\(variable)' is read before "
                + "anything assigns it")
        }
    }

    /// ASSIGN_VARIABLE(resource, value): later reads of this run see `value`.
    private static func assignVariable(_ op: TFLiteOperator, _ ctx: TranslationContext) throws {
        let variable = try resolved(op, ctx), value = try ctx.input(op, 1, "value")
        ctx.variables.values[variable] = try ctx.constant(value).map { .constant($0) } ?? .value(ctx.value(value))
    }

    /// A variable's first value: the init constant, or with `exposesState` a graph input.
    private static func initialize(_ variable: String, _ value: Tensor, _ ctx: TranslationContext) throws {
        guard ctx.variables.initializedNames.insert(variable).inserted else {
            throw EdgeflowError(.unsupported, "\(ctx.opDescription): variable '\(variable)' is initialized twice")
        }
        ctx.variables.initialized.append((variable, TensorType(value.dtype, value.shape)))
        guard ctx.variables.exposesState else {
            ctx.variables.values[variable] = .constant(value)
            return
        }
        ctx.reserve(variable)
        ctx.importer.addInput(variable, TensorType(value.dtype, value.shape))
        let held = value.rank == 4
            ? ctx.emit("Transpose", [variable], ["perm": .ints(Layout.toNCHWPerm)], hint: variable) : variable
        ctx.variables.values[variable] = .value(held)
    }

    /// With `exposesState`: each initialized variable's value after the run as output `NAME:next`
    /// (in TFLite's order). Returns the output names.
    static func emitNextState(_ ctx: TranslationContext) throws -> [String] {
        guard ctx.variables.exposesState else { return [] }
        return try ctx.variables.initialized.map { variable in
            let output = "\(variable.name):next"
            ctx.reserve(output)
            switch ctx.variables.values[variable.name] {
            case .constant(let value):
                ctx.emit("Identity", [ctx.addInitializer(value, hint: output)], output: output, hint: output)
            case .value(let held) where variable.type.shape.count == 4:
                ctx.emit("Transpose", [held], ["perm": .ints(Layout.toNHWCPerm)], output: output, hint: held)
            case .value(let held):
                ctx.emit("Identity", [held], output: output, hint: held)
            case nil:
                throw EdgeflowError(.internalError, "variable '\(variable.name)' lost its value")
            }
            return output
        }
    }

    private static func resolved(_ op: TFLiteOperator, _ ctx: TranslationContext) throws -> String {
        let resource = try ctx.input(op, 0, "resource")
        guard let variable = ctx.variables.resources[resource] else {
            throw EdgeflowError(.invalidModel, "\(ctx.opDescription): its resource is not made by a VAR_HANDLE")
        }
        return variable
    }

    /// A variable's name: container and shared_name (VarHandleOptions fields 0 and 1).
    private static func name(_ op: TFLiteOperator, _ ctx: TranslationContext) throws -> String {
        let options = Options(op).table
        let container = try options?.string(0, "VAR_HANDLE container") ?? ""
        let shared = try options?.string(1, "VAR_HANDLE shared_name") ?? ""
        return container.isEmpty ? shared : "\(container)/\(shared)"
    }
}
