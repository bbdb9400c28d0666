// Fast steps for the elementwise integer ops quantized TFLite models import onto
// (docs/tflite.md; convInteger is IntegerConvLowering's): fixedPointRequantize, TFLite's Q31
// requantization, on the SIMD build's vectorized loop; casts that widen to int32; and `where`
// of same-shape operands. Every output equals the reference evaluator's (QuantizedLoweringTests,
// every ISA cap), and the TFLite int8/uint8 goldens check it on the compiled executable.

import EFCore
import EFKernels
import EFOps

enum IntegerLowering {
    /// Cast of int8, uint8 or int16 to int32: exact widening (how integer translations start).
    static func widen(_ node: PlannedStep, _ context: StepContext) throws -> any Step {
        guard case .cast(let target, _, _) = node.params else { throw FastLowering.mismatch(node) }
        let x = try context.tensor(node.inputs[0]), y = try context.tensor(node.outputs[0])
        guard target == .int32, y.dtype == .int32, [.int8, .uint8, .int16].contains(x.dtype) else {
            throw FastPathUnavailable("fast cast widens int8, uint8 or int16 to int32 only")
        }
        let count = y.shape.elementCount, source = x.dtype
        let info = context.info(node, kernel: "widen \(StepContext.shortName(source))→s32")
        return KernelStep(info: info) { arena, _ in
            let input = x.operand.pointer(arena), output = y.operand.pointer(arena).assumingMemoryBound(to: Int32.self)
            switch source {
            case .int8: widen(input.assumingMemoryBound(to: Int8.self), count, output)
            case .uint8: widen(input.assumingMemoryBound(to: UInt8.self), count, output)
            default: widen(input.assumingMemoryBound(to: Int16.self), count, output)
            }
        }
    }

    @inline(__always)
    private static func widen<T: FixedWidthInteger>(_ x: UnsafePointer<T>, _ count: Int,
                                                    _ y: UnsafeMutablePointer<Int32>) {
        for index in 0..<count { y[index] = Int32(x[index]) }
    }

    /// where(cond, x, y) with all three of the output's shape and 1-, 2- or 4-byte values.
    static func select(_ node: PlannedStep, _ context: StepContext) throws -> any Step {
        let operands = try node.inputs.map { try context.tensor($0) }
        let y = try context.tensor(node.outputs[0])
        guard operands.count == 3, operands.allSatisfy({ $0.shape == y.shape }), operands[0].dtype == .bool,
              operands[1].dtype == y.dtype, operands[2].dtype == y.dtype, [1, 2, 4].contains(y.dtype.byteSize) else {
            throw FastPathUnavailable("fast where takes a bool condition and two values of the output's shape")
        }
        let count = y.shape.elementCount, size = y.dtype.byteSize
        return KernelStep(info: context.info(node, kernel: "select \(size * 8)-bit")) { arena, _ in
            let condition = operands[0].operand.pointer(arena).assumingMemoryBound(to: Bool.self)
            let (a, b, out) = (operands[1].operand.pointer(arena), operands[2].operand.pointer(arena),
                               y.operand.pointer(arena))
            switch size {
            case 1: select(condition, a, b, out, count, UInt8.self)
            case 2: select(condition, a, b, out, count, UInt16.self)
            default: select(condition, a, b, out, count, UInt32.self)
            }
        }
    }

    @inline(__always)
    private static func select<T>(_ condition: UnsafePointer<Bool>, _ a: UnsafeMutableRawPointer,
                                  _ b: UnsafeMutableRawPointer, _ out: UnsafeMutableRawPointer, _ count: Int,
                                  _: T.Type) {
        let (x, y, z) = (a.assumingMemoryBound(to: T.self), b.assumingMemoryBound(to: T.self),
                         out.assumingMemoryBound(to: T.self))
        for index in 0..<count { z[index] = condition[index] ? x[index] : y[index] }
    }

    static func fixedPointRequantize(_ node: PlannedStep, _ context: StepContext) throws -> any Step {
        guard case .fixedPointRequantize(let p) = node.params else { throw FastLowering.mismatch(node) }
        let x = try context.tensor(node.inputs[0]), y = try context.tensor(node.outputs[0])
        guard let multipliers = context.constant(node, 1), let shifts = context.constant(node, 2),
              x.dtype == .int32, multipliers.dtype == .int32, shifts.dtype == .int32,
              multipliers.count == shifts.count, multipliers.count >= 1 else {
            throw FastPathUnavailable("fixedPointRequantize multipliers or shifts computed at run time")
        }
        let m = multipliers.scalars(as: Int32.self), s = shifts.scalars(as: Int32.self)
        guard m.allSatisfy({ $0 >= 0 }), s.allSatisfy({ (-31...30).contains($0) }) else {
            throw FastPathUnavailable("fixedPointRequantize multipliers or shifts out of range")
        }
        let channels = m.count, count = x.shape.elementCount
        let inner = channels == 1 ? count : x.shape[(p.axis + 1)...].reduce(1, *)
        let runs = inner == 0 ? 0 : count / inner
        let output: FixedPointOutput
        switch p.outputDType {
        case .int8: output = .int8
        case .uint8: output = .uint8
        case .int16: output = .int16
        case .int32: output = .int32
        default: throw FastPathUnavailable("fixedPointRequantize to \(p.outputDType.rawValue)")
        }
        let size = p.outputDType.byteSize
        let info = context.info(node, kernel: "fixed-point requantize s32→\(StepContext.shortName(p.outputDType)) "
            + SIMDKernels.isa)
        return KernelStep(info: info) { arena, _ in
            let input = x.operand.pointer(arena).assumingMemoryBound(to: Int32.self)
            let target = y.operand.pointer(arena)
            Parallel.forEachChunk(runs, grain: max(1, 16384 / max(1, inner))) { range in
                for run in range {
                    let c = run % channels
                    SIMDKernels.fixedPointRequantize(input + run * inner, count: inner, multiplier: m[c], shift: s[c],
                                                     zeroPoint: p.zeroPoint, lower: p.lower, upper: p.upper,
                                                     output: output, into: target + run * inner * size)
                }
            }
        }
    }
}
