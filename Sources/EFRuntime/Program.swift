// A compiled program: kernel steps in execution order over one planned arena. The compiler
// (EFCompiler) makes it; an ExecutionContext runs it. Deploy side: no graph types here.

import EFCore

/// Where a step finds a tensor: at an offset in the execution context's arena, or in a
/// constant the program keeps alive.
public enum Operand: @unchecked Sendable {
    case arena(offset: Int)
    case constant(Tensor)

    /// The operand's bytes for an arena based at `arena`.
    @inline(__always)
    public func pointer(_ arena: UnsafeMutableRawPointer) -> UnsafeMutableRawPointer {
        switch self {
        case .arena(let offset): return arena + offset
        case .constant(let tensor): return tensor.storage.pointer
        }
    }
}

/// A graph input or output of a program.
public struct ProgramValue: @unchecked Sendable {
    public let name: String
    public let dtype: DType
    public let shape: [Int]
    public let operand: Operand

    public init(name: String, dtype: DType, shape: [Int], operand: Operand) {
        self.name = name
        self.dtype = dtype
        self.shape = shape
        self.operand = operand
    }

    public var byteCount: Int { shape.elementCount * dtype.byteSize }
}

/// What a step is, for profiles and logs.
public struct StepInfo: Sendable {
    /// The IR node the step runs.
    public let node: String
    /// The core op name (with its function, e.g. "unary relu").
    public let op: String
    /// The kernel that runs it (e.g. "onednn brgconv:avx512_core", "simd", "reference").
    public let kernel: String
    /// Multiply-accumulates per run (0 for data movement and elementwise ops).
    public let macs: Int
    /// "nhwc" or "nchw" for window ops (conv, convTranspose, pool), "-" otherwise.
    public let layout: String
    /// The arithmetic: the output dtype ("f32", "i64", …), or "bf16" for bf16 matrix kernels.
    public let precision: String
    /// Bytes the step reads and writes per run (its inputs, constants included, and outputs).
    public let bytesMoved: Int

    public init(node: String, op: String, kernel: String, macs: Int = 0, layout: String = "-",
                precision: String = "f32", bytesMoved: Int = 0) {
        self.node = node
        self.op = op
        self.kernel = kernel
        self.macs = macs
        self.layout = layout
        self.precision = precision
        self.bytesMoved = bytesMoved
    }
}

/// One unit of work. Steps are immutable after compilation, so one program can be run by
/// several execution contexts (each with its own arena and scratchpad).
public protocol Step: AnyObject {
    var info: StepInfo { get }
    /// Temporary bytes the step needs during `run` (the context provides the largest of all).
    var scratchpadByteCount: Int { get }
    /// Runs the step on the arena of one execution context.
    /// - Throws: `EdgeflowError` from a reference kernel (fast kernels do not fail at run time).
    func run(arena: UnsafeMutableRawPointer, scratchpad: UnsafeMutableRawPointer) throws
}

/// A program: steps in order, its inputs and outputs, and the arena size they need.
public final class Program: @unchecked Sendable {
    public let name: String
    public let inputs: [ProgramValue]
    public let outputs: [ProgramValue]
    public let steps: [any Step]
    /// Bytes of the arena holding every intermediate value (slots are reused once dead).
    public let arenaByteCount: Int

    public init(name: String, inputs: [ProgramValue], outputs: [ProgramValue], steps: [any Step],
                arenaByteCount: Int) {
        self.name = name
        self.inputs = inputs
        self.outputs = outputs
        self.steps = steps
        self.arenaByteCount = arenaByteCount
    }

    /// The largest scratchpad any step needs.
    public var scratchpadByteCount: Int { steps.map(\.scratchpadByteCount).max() ?? 0 }

    /// Multiply-accumulates of one run.
    public var macs: Int { steps.reduce(0) { $0 + $1.info.macs } }
}
