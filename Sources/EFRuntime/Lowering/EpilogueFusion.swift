// Which float steps after an int8 product its epilogue runs in the same pass: the residual
// add, scalar affines, activations and the quantizeLinear that follow it in the plan (ResNet's
// block tail, PP-LCNet's hard-swish and learnable affine before the next int8 conv, GELU before
// fc2). Each fused stage is the same lane-wise arithmetic as the step it replaces
// (FastKernels.dequantizeChain), so the executable writes the bytes the unfused plan and the
// quantized emulator write; values only those steps read are never written. The plan itself is
// unchanged: this is a choice made when a program is built.

import EFCore
import EFKernels
import EFOps
import Foundation

/// The float steps an int8 product's epilogue takes over.
struct FusedTail {
    enum Stage {
        /// fn(t, operand) or fn(operand, t); the operand full-size or one element (`scalar`).
        case binary(BinaryFunction, operand: StepTensor, scalar: Bool, operandFirst: Bool)
        case unary(UnaryFunction, UnaryParameters)
    }

    /// How many plan steps after the product it replaces.
    var stepCount = 0
    /// In order; the product's own fused activation first.
    var stages: [Stage] = []
    /// The last float32 value, written when something else reads it (nil: only the quantize does).
    var floatOutput: StepTensor?
    var quantized: (output: StepTensor, scale: Float, zeroPoint: UInt8)?
    /// Whether an output shares bytes with the product's input (fine once every accumulator is
    /// computed, not for a product that finishes image by image).
    var overlapsProductInput = false
    /// The stages for the profile: "add", "mul", an activation's name, "quantize".
    var names: [String] = []
}

/// Finds fusable tails in a plan. `EDGEFLOW_EPILOGUE_FUSION=off` in the environment turns it
/// off (to measure what it gains; the bytes are the same either way).
struct EpilogueFusion {
    static let isEnabled = ProcessInfo.processInfo.environment["EDGEFLOW_EPILOGUE_FUSION"] != "off"

    private let plan: ProgramPlan
    private let context: StepContext
    /// How many steps read each value; a graph output counts as one more reader.
    private var readers: [String: Int] = [:]
    /// The values that alias another value's bytes (reshapes) and that a step or the caller reads,
    /// by arena offset.
    private var aliasesByOffset: [Int: Set<String>] = [:]

    init(_ plan: ProgramPlan, _ context: StepContext) {
        self.plan = plan
        self.context = context
        for step in plan.steps {
            for name in step.inputs where !name.isEmpty { readers[name, default: 0] += 1 }
        }
        for name in plan.outputs { readers[name, default: 0] += 1 }
        let produced = Set(plan.steps.flatMap(\.outputs)).union(plan.inputs)
        for value in plan.values where !produced.contains(value.name) && readers[value.name, default: 0] > 0 {
            if case .arena(let offset) = value.place { aliasesByOffset[offset, default: []].insert(value.name) }
        }
    }

    /// The tail of the int8 product at `index` (a quantizedConv/quantizedMatMul writing float32),
    /// or nil when no following step can join it.
    func tail(at index: Int) -> FusedTail? {
        let product = plan.steps[index]
        guard Self.isEnabled, product.kernel == .fast, let activation = Self.floatOutput(product),
              let value = try? context.tensor(product.outputs[0]) else { return nil }
        var tail = FusedTail()
        if let activation {
            tail.stages.append(.unary(activation.fn, activation.constants))
            tail.names.append(activation.fn.rawValue)
        }
        var current = product.outputs[0]
        for step in plan.steps[(index + 1)...] {
            guard step.kernel == .fast, !step.inputs.isEmpty, step.outputs.count == 1,
                  step.runsWhen == product.runsWhen else { break }
            if let quantized = quantization(step, reading: current) {
                if readers[current, default: 0] > 1 || isReadThroughAlias(current, after: index) {
                    tail.floatOutput = try? context.tensor(current)
                }
                tail.quantized = quantized
                tail.names.append("quantize")
                tail.stepCount += 1
                break
            }
            guard readers[current, default: 0] == 1, !isReadThroughAlias(current, after: index),
                  let stage = stage(step, reading: current, shape: value.shape) else { break }
            tail.stages.append(stage.stage)
            tail.names.append(stage.name)
            current = step.outputs[0]
            tail.stepCount += 1
        }
        guard tail.stepCount > 0 else { return nil }
        if tail.quantized == nil { tail.floatOutput = try? context.tensor(current) }
        let writes = [tail.floatOutput, tail.quantized?.output].compactMap { $0 }
        guard !writes.isEmpty, writes.allSatisfy({ $0.shape.elementCount == value.shape.elementCount }),
              writesApart(tail) else { return nil }
        if let input = try? context.tensor(product.inputs[0]) {
            tail.overlapsProductInput = writes.contains { Self.overlap($0, input) }
        }
        return tail
    }

    /// The fused activation of an int8 product writing float32 (.some(nil): none), nil otherwise.
    private static func floatOutput(_ step: PlannedStep) -> FusedActivation?? {
        switch step.params {
        case .quantizedConv(let p): if case .float32(let a) = p.output { return .some(a) }
        case .quantizedMatMul(let p): if case .float32(let a) = p.output { return .some(a) }
        default: break
        }
        return nil
    }

    /// A step reading `current` that a chain stage computes: a unary with a fast kernel, or
    /// add/sub/mul/div with a float32 operand of as many elements (any rank) or of one element.
    private func stage(_ step: PlannedStep, reading current: String, shape: [Int])
        -> (stage: FusedTail.Stage, name: String)? {
        switch step.params {
        case .unary(let unary) where step.inputs[0] == current && FastKernels.supportsUnary(unary.fn):
            return (.unary(unary.fn, unary.constants), unary.fn.rawValue)
        case .binary(let fn) where FastKernels.EpilogueStage.takes(fn) && step.inputs.count == 2:
            let operandFirst = step.inputs[1] == current
            let other = step.inputs[operandFirst ? 0 : 1]
            // Same element count on every side means no broadcasting: the elements pair up in
            // order even where the ranks differ ([77, 512] + [1, 77, 512] after a matMul).
            let count = shape.elementCount
            guard step.inputs.contains(current), other != current, let operand = try? context.tensor(other),
                  operand.dtype == .float32, [count, 1].contains(operand.shape.elementCount),
                  (try? context.type(step.outputs[0]))?.shape.elementCount == count else { return nil }
            let scalar = operand.shape.elementCount != count
            return (.binary(fn, operand: operand, scalar: scalar, operandFirst: operandFirst),
                    scalar ? "\(fn.rawValue) scalar" : fn.rawValue)
        default:
            return nil
        }
    }

    /// Output, scale and zero point of a per-tensor float32 → u8 quantizeLinear of `current`
    /// with constant scalars.
    private func quantization(_ step: PlannedStep, reading current: String)
        -> (output: StepTensor, scale: Float, zeroPoint: UInt8)? {
        guard case .quantizeLinear(let p) = step.params, p.blockSize == 0, step.inputs[0] == current,
              let y = try? context.tensor(step.outputs[0]), y.dtype == .uint8,
              let scale = context.constant(step, 1), scale.dtype == .float32, scale.count == 1 else { return nil }
        guard context.optionalInputName(step, 2) != nil else { return (y, scale.scalars(as: Float.self)[0], 0) }
        guard let zp = context.constant(step, 2), zp.dtype == .uint8, zp.count == 1 else { return nil }
        return (y, scale.scalars(as: Float.self)[0], zp.scalars(as: UInt8.self)[0])
    }

    /// Whether a step after `index` may read `name`'s bytes under another name (a reshape alias
    /// at its offset read before any step writes a new value there; the memory plan reuses
    /// offsets, so aliases of other values read later do not count). A value outside the arena
    /// counts as read.
    private func isReadThroughAlias(_ name: String, after index: Int) -> Bool {
        guard let value = try? context.value(name), case .arena(let offset) = value.place else { return true }
        guard let aliases = aliasesByOffset[offset] else { return false }
        for step in plan.steps[(index + 1)...] {
            if step.inputs.contains(where: aliases.contains) { return true }
            let overwrites = step.outputs.contains { output in
                guard let written = try? context.value(output), case .arena(let start) = written.place else {
                    return false
                }
                return start == offset && output != name
            }
            if overwrites { return false }
        }
        return plan.outputs.contains(where: aliases.contains)
    }

    /// The fused step writes its outputs while it still reads the stages' operands: the float
    /// output may be exactly a full-size operand (each piece reads it before writing), any
    /// other overlap would let a write land before a read (the plan kept them apart in time).
    private func writesApart(_ tail: FusedTail) -> Bool {
        let operands = tail.stages.compactMap { stage -> (StepTensor, Bool)? in
            if case .binary(_, let operand, let scalar, _) = stage { return (operand, scalar) }
            return nil
        }
        if let q = tail.quantized?.output {
            if operands.contains(where: { Self.overlap($0.0, q) }) { return false }
            if let y = tail.floatOutput, Self.overlap(y, q) { return false }
        }
        guard let y = tail.floatOutput else { return true }
        return !operands.contains { operand, scalar in
            Self.overlap(operand, y) && (scalar || !Self.same(operand, y))
        }
    }

    /// Whether two arena tensors share bytes.
    static func overlap(_ a: StepTensor, _ b: StepTensor) -> Bool {
        guard case .arena(let x) = a.operand, case .arena(let y) = b.operand else { return false }
        return x < y + b.byteCount && y < x + a.byteCount
    }

    private static func same(_ a: StepTensor, _ b: StepTensor) -> Bool {
        guard case .arena(let x) = a.operand, case .arena(let y) = b.operand else { return false }
        return x == y && a.byteCount == b.byteCount
    }
}
