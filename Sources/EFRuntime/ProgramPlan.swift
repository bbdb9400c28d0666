// A compiled program as data: every value with its place (an arena offset or a constant), the
// steps in order (op, typed parameters, operands, the kernel family chosen), and the arena
// size. The compiler makes it; ProgramBuilder turns it into runnable steps (packing weights
// for this CPU's kernels); the executable format stores it. Nothing here refers to the IR.

import EFCore
import EFOps

/// Where a value lives while the program runs.
public enum ValuePlace: Codable, Equatable, Sendable {
    /// At this byte offset of the arena (64-byte aligned).
    case arena(offset: Int)
    /// A constant: index into the program's constant list.
    case constant(index: Int)
}

/// One value of the program.
public struct PlannedValue: Codable, Equatable, Sendable {
    public var name: String
    public var dtype: DType
    public var shape: [Int]
    public var place: ValuePlace

    public init(name: String, dtype: DType, shape: [Int], place: ValuePlace) {
        self.name = name
        self.dtype = dtype
        self.shape = shape
        self.place = place
    }
}

/// Which kernel family the compiler chose for a step.
public enum KernelFamily: String, Codable, Sendable {
    /// The fastest kernel that takes the step (oneDNN, SIMD, planned copies), made at load.
    case fast
    /// The reference kernel (the interpreter's evaluator).
    case reference
}

/// One step: a core op over named values.
public struct PlannedStep: Codable, Equatable, Sendable {
    /// The IR node's name.
    public var name: String
    public var params: OpParameters
    /// Value names by input position; "" marks an absent optional input.
    public var inputs: [String]
    public var outputs: [String]
    public var kernel: KernelFamily
    /// Why the step runs its reference kernel ("" for fast steps).
    public var reason: String
    /// Multiply-accumulates of one run (conv, convTranspose, matMul; 0 otherwise).
    public var macs: Int
    /// The step runs only when all of these hold (the branch of an `If` taken); empty: always.
    public var runsWhen: [RunCondition]
    /// A matrix step computed in bfloat16 whatever the plan's precision (a model script's bf16 layer).
    public var bfloat16Products = false

    public init(name: String, params: OpParameters, inputs: [String], outputs: [String],
                kernel: KernelFamily = .fast, reason: String = "", macs: Int = 0, runsWhen: [RunCondition] = []) {
        self.name = name
        self.params = params
        self.inputs = inputs
        self.outputs = outputs
        self.kernel = kernel
        self.reason = reason
        self.macs = macs
        self.runsWhen = runsWhen
    }

    public var op: OpType { params.op }

    private enum CodingKeys: String, CodingKey {
        case name, op, params, inputs, outputs, kernel, reason, macs, runsWhen, bfloat16Products
    }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        name = try c.decode(String.self, forKey: .name)
        let op = try c.decode(OpType.self, forKey: .op)
        do {
            params = try OpParameters(op, try c.decode(Attributes.self, forKey: .params))
        } catch let error as EdgeflowError {
            throw error.prefixed("step '\(name)' (\(op.rawValue))")
        }
        inputs = try c.decode([String].self, forKey: .inputs)
        outputs = try c.decode([String].self, forKey: .outputs)
        kernel = try c.decode(KernelFamily.self, forKey: .kernel)
        reason = try c.decodeIfPresent(String.self, forKey: .reason) ?? ""
        macs = try c.decodeIfPresent(Int.self, forKey: .macs) ?? 0
        runsWhen = try c.decodeIfPresent([RunCondition].self, forKey: .runsWhen) ?? []
        bfloat16Products = try c.decodeIfPresent(Bool.self, forKey: .bfloat16Products) ?? false
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(name, forKey: .name)
        try c.encode(op, forKey: .op)
        try c.encode(params.attributes, forKey: .params)
        try c.encode(inputs, forKey: .inputs)
        try c.encode(outputs, forKey: .outputs)
        try c.encode(kernel, forKey: .kernel)
        if !reason.isEmpty { try c.encode(reason, forKey: .reason) }
        if macs != 0 { try c.encode(macs, forKey: .macs) }
        if !runsWhen.isEmpty { try c.encode(runsWhen, forKey: .runsWhen) }
        if bfloat16Products { try c.encode(true, forKey: .bfloat16Products) }
    }
}

/// Arithmetic of the oneDNN matrix kernels (float32 in and out either way).
public enum MatrixPrecision: String, Codable, Sendable, CaseIterable {
    case float32, bfloat16
}

/// A whole program as data.
public struct ProgramPlan: Codable, Equatable, Sendable {
    public var name: String
    /// Every value a step or the caller touches.
    public var values: [PlannedValue]
    /// Graph input and output value names, in order.
    public var inputs: [String]
    public var outputs: [String]
    public var steps: [PlannedStep]
    public var arenaByteCount: Int
    public var precision: MatrixPrecision

    public init(name: String, values: [PlannedValue], inputs: [String], outputs: [String], steps: [PlannedStep],
                arenaByteCount: Int, precision: MatrixPrecision) {
        self.name = name
        self.values = values
        self.inputs = inputs
        self.outputs = outputs
        self.steps = steps
        self.arenaByteCount = arenaByteCount
        self.precision = precision
    }
}
