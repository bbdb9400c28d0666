// Turns a program plan into runnable steps: checks the plan as untrusted data (every place in
// bounds, every step's declared output types what its op computes from its input types, no
// step writing a constant), then makes each step's kernel for this CPU. A fast step no fast
// kernel takes here runs its reference kernel, with the reason. The float steps right after an
// int8 product may join its epilogue (EpilogueFusion).

import EFCore
import EFOps

/// A step that runs its reference kernel, and why.
public struct StepFallback: Sendable, Codable, Equatable {
    public let node: String
    public let op: String
    public let reason: String

    public init(node: String, op: String, reason: String) {
        self.node = node
        self.op = op
        self.reason = reason
    }
}

/// Builds programs from plans.
public enum ProgramBuilder {
    /// Checks `plan` and makes its steps.
    /// - Parameter constants: the tensors `ValuePlace.constant` indexes (weights may borrow mapped
    ///   file memory; they must outlive the program).
    /// - Returns: the program and the steps that run their reference kernel, with reasons.
    /// - Throws: `EdgeflowError.invalidModel` naming the value or step that is inconsistent.
    public static func build(_ plan: ProgramPlan, constants: [Tensor]) throws -> (Program, [StepFallback]) {
        try check(plan, constants: constants)
        let context = try StepContext(plan: plan, constants: constants)
        var steps: [any Step] = []
        var fallbacks: [StepFallback] = []
        let fusion = EpilogueFusion(plan, context)
        var index = 0
        while index < plan.steps.count {
            let planned = plan.steps[index]
            index += 1
            let step: any Step
            if let tail = fusion.tail(at: index - 1), let fusedStep = try fused(planned, tail, context) {
                step = fusedStep
                index += tail.stepCount
            } else {
                step = try lowered(planned, context, fallbacks: &fallbacks)
            }
            steps.append(try ConditionalStep.wrapping(step, planned.runsWhen, context))
        }
        let program = Program(name: plan.name, inputs: try plan.inputs.map { try programValue($0, context) },
                              outputs: try plan.outputs.map { try programValue($0, context) }, steps: steps,
                              arenaByteCount: plan.arenaByteCount)
        return (program, fallbacks)
    }

    /// The step's fast kernel, or its reference kernel (recorded in `fallbacks` with the reason).
    private static func lowered(_ planned: PlannedStep, _ context: StepContext,
                                fallbacks: inout [StepFallback]) throws -> any Step {
        var reason = planned.reason
        if planned.kernel == .fast {
            do {
                return try FastLowering.lower(planned, context)
            } catch let unavailable as FastPathUnavailable {
                reason = unavailable.reason
            }
        }
        fallbacks.append(StepFallback(node: planned.name, op: planned.op.rawValue, reason: reason))
        return try context.referenceStep(planned, reason: reason)
    }

    /// The int8 product with the float steps of `tail` in its epilogue; nil when no fast kernel takes it.
    private static func fused(_ planned: PlannedStep, _ tail: FusedTail, _ context: StepContext) throws -> (any Step)? {
        do {
            switch planned.op {
            case .quantizedConv: return try QuantizedLowering.conv(planned, context, tail: tail)
            case .quantizedMatMul: return try QuantizedLowering.matMul(planned, context, tail: tail)
            default: return nil
            }
        } catch is FastPathUnavailable {
            return nil
        }
    }

    private static func programValue(_ name: String, _ context: StepContext) throws -> ProgramValue {
        let value = try context.value(name)
        return ProgramValue(name: name, dtype: value.dtype, shape: value.shape, operand: try context.operand(name))
    }

    /// The plan's consistency, as strict as the IR verifier: a plan may come from a file.
    static func check(_ plan: ProgramPlan, constants: [Tensor]) throws {
        guard plan.arenaByteCount >= 0 else {
            throw EdgeflowError(.invalidModel, "the program's arena size \(plan.arenaByteCount) is negative")
        }
        var types: [String: TensorType] = [:], inArena = Set<String>()
        for value in plan.values {
            let type = TensorType(value.dtype, value.shape)
            let bytes = try type.checkSize("value '\(value.name)'")
            switch value.place {
            case .arena(let offset):
                guard offset >= 0, offset % 64 == 0, offset <= plan.arenaByteCount,
                      bytes <= plan.arenaByteCount - offset else {
                    throw EdgeflowError(.invalidModel, "value '\(value.name)' (\(bytes) bytes at offset \(offset)) "
                        + "does not fit the arena of \(plan.arenaByteCount) bytes")
                }
                inArena.insert(value.name)
            case .constant(let index):
                guard constants.indices.contains(index), constants[index].dtype == value.dtype,
                      constants[index].shape == value.shape else {
                    throw EdgeflowError(.invalidModel,
                        "value '\(value.name)' names constant \(index), which is missing or not \(type)")
                }
            }
            types[value.name] = type
        }
        func declared(_ name: String, _ role: String) throws -> TensorType {
            guard let type = types[name] else {
                throw EdgeflowError(.invalidModel, "\(role) '\(name)' is not a declared value")
            }
            return type
        }
        for name in plan.inputs {
            _ = try declared(name, "input")
            guard inArena.contains(name) else {
                throw EdgeflowError(.invalidModel, "input '\(name)' is not in the arena")
            }
        }
        for name in plan.outputs { _ = try declared(name, "output") }
        for step in plan.steps {
            do {
                for condition in step.runsWhen {
                    let type = try declared(condition.value, "condition")
                    guard type.dtype == .bool, type.shape.elementCount == 1 else {
                        throw EdgeflowError(.invalidModel, "condition '\(condition.value)' is \(type), not one bool")
                    }
                }
                let inputTypes = try step.inputs.map { $0.isEmpty ? nil : try declared($0, "input") }
                let inferred = try OpShapes.infer(OpInstance(step.params, outputCount: step.outputs.count),
                                                  inputTypes: inputTypes, outputNames: step.outputs)
                for (name, type) in zip(step.outputs, inferred) {
                    guard try declared(name, "output") == type, inArena.contains(name) else {
                        throw EdgeflowError(.invalidModel, "output '\(name)' is declared \(types[name]!) "
                            + (inArena.contains(name) ? "but the op computes \(type)" : "as a constant"))
                    }
                }
            } catch let error as EdgeflowError {
                throw error.prefixed("step '\(step.name)' (\(step.op.rawValue))")
            }
        }
    }
}
