// The integer steps quantized TFLite models run (IntegerConvLowering, IntegerLowering):
// convInteger on int8 and uint8 inputs with zero points (plain, strided, padded, grouped,
// depthwise, 1-D; int8 weights, and uint8 weights with a zero point) and
// fixedPointRequantize to every output type with per-tensor and per-channel multipliers over
// the whole int32 range and every shift; widening casts, int32 comparisons and where. Part of
// QuantizedProgramCheck, so the capped-ISA children (QuantizedCappedISATests) run them under
// every oneDNN cap and SIMD build too.

import EFCore
import EFKernels
import EFOps

extension QuantizedProgramCheck {
    mutating func integerCases() throws -> [String] {
        var failures: [String] = []
        let convs: [([Int], Int, [Int], ConvParameters)] = [
            ([1, 16, 7, 6], 8, [1, 1], ConvParameters()),
            ([2, 6, 9, 8], 5, [3, 3], ConvParameters(strides: [2, 2], pads: [1, 0, 1, 1])),
            ([1, 12, 8, 8], 12, [3, 3], ConvParameters(pads: [1, 1, 1, 1], group: 12)),
            ([1, 8, 9, 7], 16, [3, 3], ConvParameters(dilations: [2, 2], pads: [2, 2, 2, 2], group: 8)),
            ([1, 6, 10, 10], 6, [3, 3], ConvParameters(pads: [1, 1, 1, 1], group: 2)),
            ([2, 5, 13], 7, [3], ConvParameters(strides: [2], pads: [1, 1])),
        ]
        for (index, (xShape, m, kernel, window)) in convs.enumerated() {
            for (pattern, signed) in [(0, true), (1, false), (2, true), (2, false)] {
                let (unsigned, w) = operands(xShape, [m, xShape[1] / window.group] + kernel, pattern: pattern)
                let x = signed ? Tensor(shape: xShape, scalars: unsigned.scalars(as: UInt8.self).map {
                    Int8(bitPattern: $0)
                }) : unsigned
                let zero = signed ? try Kernels.cast(Tensor(scalar: Int32([-128, 0, 17][pattern])), to: .int8)
                                  : Tensor(scalar: UInt8([0, 255, 131][pattern]))
                if let failure = try compare(.convInteger(window), x: x, constants: [w, zero]) {
                    failures.append("convInteger \(index) pattern \(pattern) \(x.dtype.rawValue): \(failure)")
                }
                // uint8 weights with a zero point (TFLite's older scheme): 0, 128 (no correction), other.
                let unsignedWeights = Tensor(shape: w.shape, scalars: w.scalars(as: Int8.self).map {
                    UInt8(bitPattern: $0)
                })
                let weightZero = Tensor(scalar: UInt8([0, 128, 201, 77][(index + pattern) % 4]))
                if !signed, let failure = try compare(.convInteger(window), x: x,
                                                      constants: [unsignedWeights, zero, weightZero]) {
                    failures.append("convInteger \(index) pattern \(pattern) uint8 weights: \(failure)")
                }
            }
        }
        let values: [Int32] = [.max, .min, -1, 0, 1, 1 << 30, -(1 << 30), 123_456_789, -987_654_321]
            + (0..<4000).map { _ in Int32(truncatingIfNeeded: next(Int(Int32.min)...Int(Int32.max))) }
            + (0..<2000).map { _ in Int32(next(-70_000...70_000)) }
        let x = Tensor(shape: [2, 3, values.count / 6], scalars: Array(values.prefix(values.count / 6 * 6)))
        let outputs: [(DType, Int32, Int32, Int32)] = [(.int8, -3, -128, 127), (.uint8, 131, 9, 255),
                                                        (.int16, 5, -32768, 32767), (.int32, 0, .min, .max)]
        for shifts in [[-31, -1, 0], [-9, 3, 30], [-20, -12, 7]] {
            for (dtype, zeroPoint, lower, upper) in outputs {
                let multipliers = Tensor(shape: [3], scalars: [Int32(1 << 30), Int32.max,
                                                               Int32(next(0...Int(Int32.max)))])
                let op = FixedPointRequantizeOp(axis: 1, zeroPoint: zeroPoint, lower: lower, upper: upper,
                                                outputDType: dtype)
                let constants = [multipliers, Tensor(shape: [3], scalars: shifts.map(Int32.init))]
                if let failure = try compare(.fixedPointRequantize(op), x: x, constants: constants) {
                    failures.append("fixedPointRequantize shifts \(shifts) \(dtype.rawValue): \(failure)")
                }
            }
        }
        return failures + (try elementwiseCases(values))
    }

    /// Widening casts, int32 comparisons and where, as the integer translations use them.
    private mutating func elementwiseCases(_ values: [Int32]) throws -> [String] {
        var failures: [String] = []
        let bytes = (0..<600).map { _ in next(0...255) }
        let narrow: [Tensor] = [Tensor(shape: [2, 300], scalars: bytes.map { UInt8($0) }),
                                Tensor(shape: [2, 300], scalars: bytes.map { Int8(truncatingIfNeeded: $0) }),
                                Tensor(shape: [2, 300], scalars: bytes.map { Int16($0 * 97 - 12_000) })]
        for x in narrow {
            if let failure = try compare(.cast(to: .int32), x: x, constants: []) {
                failures.append("cast \(x.dtype.rawValue) → int32: \(failure)")
            }
        }
        let wide = Tensor(shape: [6, values.count / 6], scalars: Array(values.prefix(values.count / 6 * 6)))
        let row = Tensor(shape: [values.count / 6], scalars: (0..<(values.count / 6)).map { _ in
            Int32(next(-70_000...70_000))
        })
        for function in [BinaryFunction.equal, .less, .lessOrEqual, .greater, .greaterOrEqual] {
            for other in [row, Tensor(scalar: Int32(0)), wide] {
                if let failure = try compare(.binary(function), x: wide, constants: [other]) {
                    failures.append("int32 \(function.rawValue) against \(other.shape): \(failure)")
                }
            }
        }
        let condition = Tensor(shape: [2, 300], scalars: bytes.map { $0 % 3 == 0 })
        let flipped = Tensor(shape: [2, 300], scalars: bytes.reversed().map { Int8(truncatingIfNeeded: $0) })
        let pairs = [(narrow[1], flipped),
                     (narrow[2], Tensor(shape: [2, 300], scalars: bytes.map { Int16(-$0) })),
                     (Tensor(shape: [2, 300], scalars: bytes.map { Float($0) - 0.5 }),
                      Tensor(shape: [2, 300], scalars: bytes.map { -Float($0) }))]
        for (a, b) in pairs {
            if let failure = try compare(.select, x: condition, constants: [a, b]) {
                failures.append("where \(a.dtype.rawValue): \(failure)")
            }
        }
        return failures
    }
}
