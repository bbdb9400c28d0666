// A step whose work is one closure over the arena, made by the compiler around a planned fast
// kernel (the closure captures the plan and the operands; calling it allocates nothing).

/// A fast-kernel step.
public final class KernelStep: Step {
    public let info: StepInfo
    public let scratchpadByteCount: Int
    private let body: (_ arena: UnsafeMutableRawPointer, _ scratchpad: UnsafeMutableRawPointer) throws -> Void

    public init(info: StepInfo, scratchpadByteCount: Int = 0,
                _ body: @escaping (_ arena: UnsafeMutableRawPointer,
                                   _ scratchpad: UnsafeMutableRawPointer) throws -> Void) {
        self.info = info
        self.scratchpadByteCount = scratchpadByteCount
        self.body = body
    }

    public func run(arena: UnsafeMutableRawPointer, scratchpad: UnsafeMutableRawPointer) throws {
        try body(arena, scratchpad)
    }
}
