// What a lowering sees: the graph's types, the memory plan's operands, the options; and the
// reference step every node can fall back to.

import EFCore
import EFIR
import EFInterpreter
import EFRuntime

final class LoweringContext {
    let graph: Graph
    let plan: MemoryPlan
    let options: CompileOptions

    init(graph: Graph, plan: MemoryPlan, options: CompileOptions) {
        self.graph = graph
        self.plan = plan
        self.options = options
    }

    func type(_ value: String) throws -> TensorType { try graph.type(of: value) }

    /// The step view of a value.
    func tensor(_ value: String) throws -> StepTensor {
        let type = try graph.type(of: value)
        return StepTensor(try plan.operand(value), type.dtype, type.shape)
    }

    /// The input at `index` of `node`, nil when absent.
    func optionalInput(_ node: Node, _ index: Int) throws -> StepTensor? {
        guard index < node.inputs.count, !node.inputs[index].isEmpty else { return nil }
        return try tensor(node.inputs[index])
    }

    /// The name of input `index`, nil when absent.
    func optionalInputName(_ node: Node, _ index: Int) -> String? {
        index < node.inputs.count && !node.inputs[index].isEmpty ? node.inputs[index] : nil
    }

    /// The constant value of input `index`, nil when it is computed at run time or absent.
    func constant(_ node: Node, _ index: Int) -> Tensor? {
        guard index < node.inputs.count, !node.inputs[index].isEmpty else { return nil }
        return plan.constants[node.inputs[index]]
    }

    func programValue(_ name: String) throws -> ProgramValue {
        let type = try graph.type(of: name)
        return ProgramValue(name: name, dtype: type.dtype, shape: type.shape, operand: try plan.operand(name))
    }

    /// A step running the node's reference kernel (the interpreter's evaluator).
    func referenceStep(_ node: Node, reason: String) throws -> FallbackStep {
        let inputs = try node.inputs.map { $0.isEmpty ? nil : try tensor($0) }
        let outputs = try node.outputs.map { try tensor($0) }
        return FallbackStep(info: StepInfo(node: node.name, op: node.op.rawValue, kernel: "reference",
                                           macs: MacCount.of(node, graph)),
                            reason: reason, inputs: inputs, outputs: outputs) { arguments in
            try NodeEvaluator.evaluate(node, inputs: arguments)
        }
    }
}
