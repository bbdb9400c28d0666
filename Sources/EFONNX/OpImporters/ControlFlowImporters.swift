// ONNX `If`. A condition known when importing (a constant, or a value that folds from constants,
// static input shapes and inputs frozen with `--input-value`, e.g. a sample-rate input) imports
// only the chosen branch in place of the If (SubgraphInlining). A condition only known at run time
// imports both branches, each node guarded by the condition (`Node.runsWhen`: only the branch
// taken runs), and selects each output with `where(condition, then, else)`. That needs branches
// whose outputs agree in element type and shape; when they differ the condition must be known
// when importing, and the error names the graph inputs it comes from (static shapes).

import EFCore
import EFIR

enum ControlFlowImporters {
    static let table: [String: OpImporter] = ["If": importIf]

    static func importIf(_ node: OnnxNode, _ context: ImportContext) throws {
        guard case .graph(let thenBranch)? = node.attributes["then_branch"],
              case .graph(let elseBranch)? = node.attributes["else_branch"] else {
            throw EdgeflowError(.invalidModel, "If '\(node.displayName)' needs a then_branch and an else_branch graph")
        }
        try checkAgreement(thenBranch, elseBranch, node)
        guard thenBranch.outputs.count == node.outputs.count else {
            throw EdgeflowError(.invalidModel, "If '\(node.displayName)' has \(node.outputs.count) outputs but its "
                                    + "branches \(thenBranch.outputs.count)")
        }
        let conditionValue = try context.requiredInput(node, 0, "condition")
        let conditionType = try context.type(conditionValue)
        guard conditionType.shape.elementCount == 1, conditionType.dtype == .bool else {
            throw EdgeflowError(.invalidModel, "If '\(node.displayName)': the condition is \(conditionType.dtype) "
                                    + "with \(conditionType.shape.elementCount) elements; it must be one bool")
        }
        guard let condition = context.constant(conditionValue) else {
            return try importSelection(node, conditionValue, thenBranch, elseBranch, context)
        }
        let taken = condition.withUnsafeBytes { $0[0] != 0 }
        let values = try SubgraphInlining.inline(taken ? thenBranch : elseBranch, for: node, into: context)
        for (name, value) in zip(node.outputs, values) where !name.isEmpty { context.alias(name, to: value) }
    }

    /// Both branches imported under their own scopes, each output selected by the run-time condition.
    /// - Throws: `NonConstantOperand` for the condition when a branch cannot be imported with the
    ///   shapes at hand (branches are often valid only when their condition holds) or an output's
    ///   type differs between the branches: the importer's message then names the graph inputs the
    ///   condition comes from, and callers that may freeze them retry with one branch.
    private static func importSelection(_ node: OnnxNode, _ condition: String, _ thenBranch: OnnxGraph,
                                        _ elseBranch: OnnxGraph, _ context: ImportContext) throws {
        func mustBeKnown(_ why: String) -> NonConstantOperand {
            NonConstantOperand(value: node.inputs[0], node: node.displayName,
                               role: "condition (both branches are compiled for a choice at run time, but \(why))")
        }
        let scalar = try context.type(condition).shape.isEmpty
            ? condition
            : try LoweringSupport.reshape(condition, to: [], context, node, hint: "condition")
        let thenValues: [String], elseValues: [String]
        do {
            thenValues = try context.whileRunning(when: RunCondition(scalar, whenTrue: true)) {
                try SubgraphInlining.inline(thenBranch, scope: "\(node.displayName)/then", for: node, into: context)
            }
            elseValues = try context.whileRunning(when: RunCondition(scalar, whenTrue: false)) {
                try SubgraphInlining.inline(elseBranch, scope: "\(node.displayName)/else", for: node, into: context)
            }
        } catch let failure as NonConstantOperand {
            throw mustBeKnown("'\(failure.node)' inside needs '\(failure.value)' constant")
        } catch let error as EdgeflowError {
            throw mustBeKnown("one does not import with these shapes: \(error.message.prefix(160))")
        }
        for (thenValue, elseValue) in zip(thenValues, elseValues) {
            let thenType = try context.type(thenValue), elseType = try context.type(elseValue)
            guard thenType == elseType else {
                throw mustBeKnown("they give \(thenType) and \(elseType)")
            }
        }
        for (index, name) in node.outputs.enumerated() where !name.isEmpty {
            if thenValues[index] == elseValues[index] {
                context.alias(name, to: thenValues[index])
            } else {
                try context.emit(.where, [scalar, thenValues[index], elseValues[index]], outputs: [name], from: node)
            }
        }
    }

    /// Both branches must give as many outputs, of the same element types where they declare one
    /// (the model would change type with its condition otherwise).
    private static func checkAgreement(_ a: OnnxGraph, _ b: OnnxGraph, _ node: OnnxNode) throws {
        guard a.outputs.count == b.outputs.count else {
            throw EdgeflowError(.invalidModel, "If '\(node.displayName)': then_branch gives \(a.outputs.count) "
                                    + "outputs, else_branch \(b.outputs.count)")
        }
        for (index, (x, y)) in zip(a.outputs, b.outputs).enumerated()
        where x.elemType != 0 && y.elemType != 0 && x.elemType != y.elemType {
            let name = { (code: Int) in OnnxDataType.dtype(code).map { "\($0)" } ?? "type \(code)" }
            throw EdgeflowError(.invalidModel, "If '\(node.displayName)': the branches disagree on output \(index): "
                                    + "then_branch gives \(name(x.elemType)), else_branch \(name(y.elemType))")
        }
    }
}
