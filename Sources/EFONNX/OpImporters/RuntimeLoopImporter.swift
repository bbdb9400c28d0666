// ONNX Loop and Scan bodies imported once, as the body of a core `loop` node that runs them at run
// time (docs/control-flow.md): for loops too long to unroll. The body's inputs become placeholder
// values, its nodes are imported with the usual importers (what reads only constants folds) and
// then taken out of the graph into the loop's parameters; every value of the enclosing graph the
// body reads, constants among them, becomes an invariant input of the loop node. Run conditions of
// an If inside the body are dropped: both branches run, and the `where` keeps the one taken.

import EFCore
import EFIR

enum RuntimeLoopImporter {
    /// What a Loop or Scan hands the body, in the ONNX body's input order.
    struct Binding {
        enum Kind { case counter, condition, carried, scanned }
        var kind: Kind
        /// The loop node's operand (carried: the initial value; scanned: the whole input).
        var operand: String = ""
        var axis = 0
        var reversed = false
    }

    /// How the loop runs and what it gives back.
    struct Plan {
        var tripCount: Int
        var bindings: [Binding]
        /// The body's output 0 is the condition for the next iteration (ONNX Loop, TFLite WHILE).
        var conditionOutput = false
        /// A one-element bool that decides whether the first iteration runs (nil: it does).
        var initialCondition: String?
        /// Per stacked output (the body's outputs after the carried ones): axis and direction.
        var outputAxes: [Int] = []
        var outputsReversed: [Bool] = []
        /// Names for the loop node's outputs; fresh names where missing or empty.
        var outputNames: [String] = []
    }

    /// Imports an ONNX Loop's or Scan's `body` as a runtime loop and emits it under `node`'s outputs.
    /// - Throws: `EdgeflowError.unsupported` when the body's shapes depend on the iteration or a
    ///   carried value changes type; errors of the body's importers.
    static func emit(_ node: OnnxNode, body: OnnxGraph, _ plan: Plan, into ctx: ImportContext) throws {
        let scope = "\(node.displayName)/body"
        var plan = plan
        plan.outputNames = node.outputs
        _ = try emit(node, scope: scope, plan, into: ctx) {
            try SubgraphInlining.inline(body, bindings: $0, scope: scope, for: node, into: ctx)
        }
    }

    /// Emits a runtime loop whose body `importBody` emits over the values bound to the plan's
    /// bindings (in their order), returning the body's outputs: the condition (when
    /// `conditionOutput`), the carried values' next values, the stacked parts.
    /// - Returns: the loop node's outputs (the carried values' final values, the stacked outputs).
    static func emit(_ node: OnnxNode, scope: String, _ plan: Plan, into ctx: ImportContext,
                     importBody: ([String]) throws -> [String]) throws -> [String] {
        let bindings = plan.bindings
        var placeholders: [String] = []
        let values = try bindings.map { binding -> String in
            switch binding.kind {
            case .condition:
                return ctx.addConstant(LoopImporters.bool(true), hint: "\(scope)/true")
            case .counter, .carried, .scanned:
                var type = binding.kind == .counter ? TensorType(.int64, []) : try ctx.type(binding.operand)
                if binding.kind == .scanned { type = TensorType(type.dtype, removing: binding.axis, from: type.shape) }
                let name = ctx.freshName("\(scope)/in\(placeholders.count)")
                ctx.addInput(name, type)
                placeholders.append(name)
                return name
            }
        }
        let mark = ctx.nodes.count
        let outputs: [String]
        do {
            outputs = try importBody(values)
        } catch let failure as NonConstantOperand {
            _ = ctx.takeNodes(after: mark)
            let value = failure.value.hasPrefix(scope + "/") ? String(failure.value.dropFirst(scope.count + 1))
                                                              : failure.value
            throw LoweringSupport.unsupported(node, "its body's node '\(failure.node)' takes its \(failure.role) "
                                                  + "'\(value)' from the iteration (a loop too long to unroll runs "
                                                  + "its body at run time, with the same shapes every iteration)")
        } catch {
            _ = ctx.takeNodes(after: mark)
            throw error
        }
        let nodes = ctx.takeNodes(after: mark)
        let condition = plan.conditionOutput ? outputs.first : nil
        let checksCondition = condition.map { !isTrue(ctx.constant($0)) } ?? false
        let results = Array(outputs.dropFirst(plan.conditionOutput ? 1 : 0))
        let carried = bindings.filter { $0.kind == .carried }, scanned = bindings.filter { $0.kind == .scanned }
        let bodyOutputs = (checksCondition ? [condition!] : []) + results
        let invariants = outerReads(nodes, bodyOutputs, defined: Set(placeholders))
        for (k, (binding, next)) in zip(carried, results).enumerated()
        where try ctx.type(binding.operand) != ctx.type(next) {
            throw LoweringSupport.unsupported(node, "a body that makes carried value \(k) \(try ctx.type(next)) from "
                                                  + "\(try ctx.type(binding.operand)) (a runtime loop keeps every "
                                                  + "value's type; only short loops are unrolled)")
        }
        let parts = results.dropFirst(carried.count)
        let axes = try zip(plan.outputAxes, parts).map { axis, part in
            try LoweringSupport.axis(axis, rank: try ctx.type(part).shape.count + 1, node)
        }
        let loop = LoopParameters(
            tripCount: plan.tripCount, carriedCount: carried.count, scanInputAxes: scanned.map(\.axis),
            scanInputsReversed: scanned.map(\.reversed), scanOutputAxes: axes,
            scanOutputsReversed: plan.outputsReversed, countsIterations: bindings.contains { $0.kind == .counter },
            checksCondition: checksCondition, checksInitialCondition: plan.initialCondition != nil,
            body: LoopBody(inputs: placeholders + invariants, nodes: nodes.map {
                LoopBodyNode(name: $0.name, params: $0.params, inputs: $0.inputs, outputs: $0.outputs)
            }, outputs: bodyOutputs))
        let names = plan.outputNames + [String](repeating: "", count: max(0, results.count - plan.outputNames.count))
        let loopOutputs = names.prefix(results.count).enumerated().map { k, name in
            name.isEmpty ? ctx.freshName("\(node.displayName)/unused\(k)") : name
        }
        let checked: LoopParameters
        do {
            checked = try loop.validated()
        } catch let error as EdgeflowError {
            throw error.prefixed("\(node.opType) '\(node.displayName)'")
        }
        let initial = plan.initialCondition.map { [$0] } ?? []
        try ctx.emit(.loop, initial + carried.map(\.operand) + scanned.map(\.operand) + invariants,
                     OpParameters.loop(checked).attributes, outputs: loopOutputs, from: node)
        return loopOutputs
    }

    /// Values the body's nodes and outputs read that it does not define, in first-read order.
    private static func outerReads(_ nodes: [Node], _ outputs: [String], defined: Set<String>) -> [String] {
        let defined = defined.union(nodes.flatMap(\.outputs))
        var seen = Set<String>(), reads: [String] = []
        for name in nodes.flatMap(\.inputs) + outputs where !name.isEmpty && !defined.contains(name)
            && seen.insert(name).inserted {
            reads.append(name)
        }
        return reads
    }

    /// Whether `tensor` is a known one-element true condition (false for nil: known at run time).
    static func isTrue(_ tensor: Tensor?) -> Bool {
        guard let tensor else { return false }
        return tensor.count == 1 && tensor.withUnsafeBytes { $0.contains { $0 != 0 } }
    }
}

private extension TensorType {
    init(_ dtype: DType, removing axis: Int, from shape: [Int]) {
        var shape = shape
        shape.remove(at: axis)
        self.init(dtype, shape)
    }
}
