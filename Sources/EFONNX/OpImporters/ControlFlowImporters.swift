// ONNX `If` whose condition is known when importing: a constant, or a value that folds from
// constants, static input shapes and inputs frozen with `--input-value` (e.g. a sample-rate
// input). The chosen branch's nodes are imported in place of the If (SubgraphInlining); the
// other branch is dropped. A condition only known at run time is refused, naming the graph
// inputs it comes from (Edgeflow compiles static graphs).

import EFCore

enum ControlFlowImporters {
    static let table: [String: OpImporter] = ["If": importIf]

    static func importIf(_ node: OnnxNode, _ context: ImportContext) throws {
        guard let condition = try context.constantInput(node, 0, "condition") else {
            throw NonConstantOperand(value: node.inputs.first ?? "", node: node.displayName, role: "condition")
        }
        guard condition.count == 1, condition.dtype == .bool else {
            throw EdgeflowError(.invalidModel, "If '\(node.displayName)': the condition is \(condition.dtype) with "
                                    + "\(condition.count) elements; it must be one bool")
        }
        guard case .graph(let thenBranch)? = node.attributes["then_branch"],
              case .graph(let elseBranch)? = node.attributes["else_branch"] else {
            throw EdgeflowError(.invalidModel, "If '\(node.displayName)' needs a then_branch and an else_branch graph")
        }
        try checkAgreement(thenBranch, elseBranch, node)
        let taken = condition.withUnsafeBytes { $0[0] != 0 }
        let branch = taken ? thenBranch : elseBranch
        guard branch.outputs.count == node.outputs.count else {
            throw EdgeflowError(.invalidModel, "If '\(node.displayName)' has \(node.outputs.count) outputs but its "
                                    + "branches \(branch.outputs.count)")
        }
        let values = try SubgraphInlining.inline(branch, for: node, into: context)
        for (name, value) in zip(node.outputs, values) where !name.isEmpty { context.alias(name, to: value) }
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
