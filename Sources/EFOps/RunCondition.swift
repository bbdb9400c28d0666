// A condition under which a node (IR) or a step (program plan) runs: the branches of an ONNX
// `If` decided at run time are guarded by its condition, so only the branch taken runs.
// Shared by both sides because the executable's plan carries it (docs/control-flow.md).

/// "Run only when the one-element bool `value` is `whenTrue`."
public struct RunCondition: Codable, Equatable, Hashable, Sendable, CustomStringConvertible {
    /// The condition's value name: a bool tensor of one element.
    public var value: String
    /// The value the condition must have for the guarded work to run.
    public var whenTrue: Bool

    public init(_ value: String, whenTrue: Bool) {
        self.value = value
        self.whenTrue = whenTrue
    }

    public var description: String { whenTrue ? value : "not \(value)" }
}
