// What a lowering sees while a program is built from its plan: each value's type and place,
// the constants, the matrix precision; and the reference step every step can fall back to.

import EFCore
import EFOps

final class StepContext {
    let plan: ProgramPlan
    let precision: MatrixPrecision
    private let values: [String: PlannedValue]
    private let constants: [Tensor]

    /// - Throws: `EdgeflowError.invalidModel` when the plan names a value twice.
    init(plan: ProgramPlan, constants: [Tensor]) throws {
        self.plan = plan
        precision = plan.precision
        var values: [String: PlannedValue] = [:]
        for value in plan.values {
            guard values.updateValue(value, forKey: value.name) == nil else {
                throw EdgeflowError(.invalidModel, "the program declares value '\(value.name)' twice")
            }
        }
        self.values = values
        self.constants = constants
    }

    /// The arithmetic of `step`'s oneDNN matrix kernel: bfloat16 for the whole plan or for this step.
    func precision(of step: PlannedStep) -> MatrixPrecision {
        step.bfloat16Products ? .bfloat16 : precision
    }

    /// The planned value named `name`.
    func value(_ name: String) throws -> PlannedValue {
        guard let value = values[name] else {
            throw EdgeflowError(.invalidModel, "the program uses value '\(name)', which it does not declare")
        }
        return value
    }

    func type(_ name: String) throws -> TensorType {
        let value = try value(name)
        return TensorType(value.dtype, value.shape)
    }

    /// The operand of a value: its arena slot or its constant tensor.
    func operand(_ name: String) throws -> Operand {
        switch try value(name).place {
        case .arena(let offset): return .arena(offset: offset)
        case .constant(let index): return .constant(constants[index])
        }
    }

    /// The step view of a value.
    func tensor(_ name: String) throws -> StepTensor {
        let value = try value(name)
        return StepTensor(try operand(name), value.dtype, value.shape)
    }

    /// The input at `index` of `step`, nil when absent.
    func optionalInput(_ step: PlannedStep, _ index: Int) throws -> StepTensor? {
        guard let name = optionalInputName(step, index) else { return nil }
        return try tensor(name)
    }

    /// The name of input `index`, nil when absent.
    func optionalInputName(_ step: PlannedStep, _ index: Int) -> String? {
        index < step.inputs.count && !step.inputs[index].isEmpty ? step.inputs[index] : nil
    }

    /// The constant value of input `index`, nil when it is computed at run time or absent.
    func constant(_ step: PlannedStep, _ index: Int) -> Tensor? {
        guard let name = optionalInputName(step, index), case .constant(let i)? = values[name]?.place else {
            return nil
        }
        return constants[i]
    }

    /// A step running the op's reference kernel.
    func referenceStep(_ step: PlannedStep, reason: String) throws -> FallbackStep {
        let inputs = try step.inputs.map { $0.isEmpty ? nil : try tensor($0) }
        let outputs = try step.outputs.map { try tensor($0) }
        let parameters = step.params, outputCount = step.outputs.count
        return FallbackStep(info: info(step, kernel: "reference"), reason: reason, inputs: inputs,
                            outputs: outputs) { arguments in
            try ReferenceEvaluator.evaluate(parameters, arguments, outputCount: outputCount)
        }
    }
}

extension StepContext {
    /// The profile description of `step` run by `kernel` (`op` overrides the op's name).
    func info(_ step: PlannedStep, kernel: String, op: String? = nil) -> StepInfo {
        let types = (step.inputs + step.outputs).compactMap { $0.isEmpty ? nil : try? type($0) }
        let bytes = types.reduce(0) { $0 &+ $1.byteCount }
        let outputType = step.outputs.first.flatMap { try? type($0) }
        let windowed = [.conv, .convTranspose, .pool].contains(step.op)
        let matrix = [.conv, .convTranspose, .matMul].contains(step.op)
        let precision = matrix && kernel.hasPrefix("onednn") && self.precision(of: step) == .bfloat16
            ? "bf16" : outputType.map { Self.shortName($0.dtype) } ?? "-"
        return StepInfo(node: step.name, op: op ?? step.op.rawValue, kernel: kernel, macs: step.macs,
                        layout: windowed ? (step.params.isChannelsLast ? "nhwc" : "nchw") : "-",
                        precision: precision, bytesMoved: bytes)
    }

    /// XNNPACK-style dtype names: f32, f16, bf16, f64, qs8 (int8), qu8 (uint8), i32, i64, bool...
    static func shortName(_ dtype: DType) -> String {
        switch dtype {
        case .float32: "f32"
        case .float16: "f16"
        case .bfloat16: "bf16"
        case .float64: "f64"
        case .int8: "qs8"
        case .uint8: "qu8"
        case .bool: "bool"
        default: dtype.rawValue.replacingOccurrences(of: "int", with: "i")
        }
    }
}
