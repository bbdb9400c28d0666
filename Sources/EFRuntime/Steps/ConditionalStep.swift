// A step that runs only when its run conditions hold: the branches of an ONNX `If` decided at
// run time (docs/control-flow.md). Each condition is a one-element bool in the arena (or a
// constant); the wrapped step runs when every one has the value it names, and is skipped
// otherwise (its outputs are then read by no step that runs, only by the `where` that picks
// the other branch).

import EFCore
import EFOps

/// A step guarded by run conditions.
final class ConditionalStep: Step {
    let info: StepInfo
    let scratchpadByteCount: Int
    private let step: any Step
    private let conditions: [(operand: Operand, whenTrue: Bool)]

    private init(_ step: any Step, _ conditions: [(operand: Operand, whenTrue: Bool)]) {
        self.step = step
        self.conditions = conditions
        info = step.info
        scratchpadByteCount = step.scratchpadByteCount
    }

    /// `step` itself when `runsWhen` is empty, otherwise `step` behind its conditions.
    /// - Throws: `EdgeflowError.invalidModel` for a condition that is not a declared value.
    static func wrapping(_ step: any Step, _ runsWhen: [RunCondition], _ context: StepContext) throws -> any Step {
        guard !runsWhen.isEmpty else { return step }
        return ConditionalStep(step, try runsWhen.map { (try context.operand($0.value), $0.whenTrue) })
    }

    func run(arena: UnsafeMutableRawPointer, scratchpad: UnsafeMutableRawPointer) throws {
        for condition in conditions
        where (condition.operand.pointer(arena).load(as: UInt8.self) != 0) != condition.whenTrue {
            return
        }
        try step.run(arena: arena, scratchpad: scratchpad)
    }
}
