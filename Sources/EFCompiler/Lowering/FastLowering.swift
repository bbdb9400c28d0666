// Dispatch of fast lowerings by op. Each lowering returns a step, or throws
// FastPathUnavailable with the reason the node runs its reference kernel instead.

import EFCore
import EFIR
import EFRuntime

enum FastLowering {
    static func lower(_ node: Node, _ context: LoweringContext) throws -> any Step {
        switch node.op {
        default:
            throw FastPathUnavailable("no fast kernel for \(node.op.rawValue)")
        }
    }
}
