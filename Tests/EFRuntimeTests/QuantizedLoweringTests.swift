// The fast int8 lowerings (quantizedConv, quantizedMatMul, u8 quantizeLinear/dequantizeLinear)
// against the reference evaluator, byte for byte, on one-step programs built from plans: 1×1,
// 3×3 stride 2, dilated, grouped and depthwise convs and a ViT patch embedding in both layouts, matMul with batch dims
// and K up to 5000 with extreme values, u8 and float32 outputs, with and without bias; and the float
// tails fused into the epilogue (EpilogueFusionCheck.swift). Runs
// in-process (oneDNN s32 where DNNLInt32Products trusts it) and, in QuantizedCappedISATests,
// again in child processes with ONEDNN_MAX_CPU_ISA capped (the Swift SIMD GEMM).

import EFCore
import EFKernels
import EFOneDNN
import EFOps
import EFRuntime
import Foundation
import XCTest

/// Builds, runs and checks one-step int8 programs.
struct QuantizedProgramCheck {
    var kernels: [String] = []
    private var random: UInt64

    init(seed: UInt64) { random = seed &* 2862933555777941757 &+ 3037000493 }

    mutating func next(_ range: ClosedRange<Int>) -> Int {
        random = random &* 6364136223846793005 &+ 1442695040888963407
        return range.lowerBound + Int((random >> 33) % UInt64(range.count))
    }

    /// pattern 0: x = 255, w = 127; 1: x = 255, w = ±127/−128 runs; else random full range.
    mutating func operands(_ x: [Int], _ w: [Int], pattern: Int) -> (Tensor, Tensor) {
        let xs: [UInt8] = pattern < 2 ? [UInt8](repeating: 255, count: x.elementCount)
                                      : (0..<x.elementCount).map { _ in UInt8(next(0...255)) }
        let ws: [Int8] = pattern == 0 ? [Int8](repeating: 127, count: w.elementCount)
            : pattern == 1 ? (0..<w.elementCount).map { $0 % 3 == 0 ? -128 : 127 }
            : (0..<w.elementCount).map { _ in Int8(next(-128...127)) }
        return (Tensor(shape: x, scalars: xs), Tensor(shape: w, scalars: ws))
    }

    /// Runs `params` over x and the constants (nil = absent input) as a fast program and through
    /// the reference evaluator; returns a description of the first difference, or nil.
    mutating func compare(_ params: OpParameters, x: Tensor, constants: [Tensor?]) throws -> String? {
        let expected = try ReferenceEvaluator.evaluate(params, [x] + constants, outputCount: 1)[0]
        let xBytes = (x.count * x.dtype.byteSize + 63) / 64 * 64
        var values = [PlannedValue(name: "x", dtype: x.dtype, shape: x.shape, place: .arena(offset: 0)),
                      PlannedValue(name: "y", dtype: expected.dtype, shape: expected.shape,
                                   place: .arena(offset: xBytes))]
        var inputs = ["x"], stored: [Tensor] = []
        for (index, constant) in constants.enumerated() {
            guard let constant else {
                inputs.append("")
                continue
            }
            values.append(PlannedValue(name: "c\(index)", dtype: constant.dtype, shape: constant.shape,
                                       place: .constant(index: stored.count)))
            inputs.append("c\(index)")
            stored.append(constant)
        }
        let step = PlannedStep(name: "q", params: params, inputs: inputs, outputs: ["y"])
        let plan = ProgramPlan(name: "int8", values: values, inputs: ["x"], outputs: ["y"], steps: [step],
                               arenaByteCount: xBytes + (expected.count * expected.dtype.byteSize + 63) / 64 * 64,
                               precision: .float32)
        let (program, fallbacks) = try ProgramBuilder.build(plan, constants: stored)
        if let fallback = fallbacks.first { return "fell back to the reference: \(fallback.reason)" }
        kernels.append(program.steps[0].info.kernel)
        let actual = try ExecutionContext(program: program).run(["x": x])["y"]!
        let same = actual.withUnsafeBytes { a in expected.withUnsafeBytes { e in a.elementsEqual(e) } }
        return same ? nil : "output bytes differ [\(program.steps[0].info.kernel)]"
    }

    /// Every conv, matMul and quantize case; returns the failures.
    mutating func runAll() throws -> [String] {
        var failures: [String] = []
        let convs: [([Int], Int, [Int], ConvParameters)] = [
            ([1, 32, 6, 6], 16, [1, 1], ConvParameters()),
            ([2, 24, 9, 8], 20, [3, 3], ConvParameters(strides: [2, 2], pads: [1, 1, 1, 1])),
            ([1, 16, 8, 8], 16, [3, 3], ConvParameters(pads: [1, 1, 1, 1], group: 16)),
            ([1, 12, 9, 7], 6, [3, 3], ConvParameters(dilations: [2, 1], pads: [2, 1, 1, 0], group: 3)),
            ([1, 600, 4, 4], 8, [3, 3], ConvParameters(pads: [1, 1, 1, 1])),
            ([2, 5, 13], 7, [3], ConvParameters(strides: [2], pads: [1, 1])),
            // A ViT patch embedding, which oneDNN 2.6's int8 conv refuses: unfolded onto its matMul.
            ([2, 3, 32, 48], 24, [16, 16], ConvParameters(strides: [16, 16])),
            // int32 accumulators over 2 MiB: oneDNN runs it image by image.
            ([2, 8, 110, 110], 24, [3, 3], ConvParameters(pads: [1, 1, 1, 1])),
        ]
        for (index, (xShape, m, kernel, window)) in convs.enumerated() {
            for pattern in 0..<3 {
                let (x, w) = operands(xShape, [m, xShape[1] / window.group] + kernel, pattern: pattern)
                for channelsLast in [false, true] {
                    let output = outputs[(index + pattern + (channelsLast ? 1 : 0)) % outputs.count]
                    let op = QuantizedConvOp(window: window, channelsLast: channelsLast,
                                             inputZeroPoint: Int32([0, 255, 77][pattern]), output: output)
                    let input = channelsLast ? try Kernels.transpose(x, perm: [0] + Array(2..<x.rank) + [1]) : x
                    let bias = pattern == 1 ? nil : biasTensor(m)
                    let constants = [w, bias, multipliers(m, output)]
                    if let failure = try compare(.quantizedConv(op), x: input, constants: constants) {
                        failures.append("conv \(index) pattern \(pattern) channelsLast \(channelsLast): \(failure)")
                    }
                }
            }
        }
        let matMuls = [([3, 5, 40], 17), ([1, 7, 5000], 9), ([2, 2, 3, 64], 32), ([1, 1], 1)]
        for (index, (aShape, n)) in matMuls.enumerated() {
            for pattern in 0..<3 {
                let (a, b) = operands(aShape, [aShape.last!, n], pattern: pattern)
                let output = outputs[(index + pattern) % outputs.count]
                let op = QuantizedMatMulOp(inputZeroPoint: Int32([0, 255, 128][pattern]), output: output)
                let bias = pattern == 2 ? nil : biasTensor(n)
                if let failure = try compare(.quantizedMatMul(op), x: a, constants: [b, bias, multipliers(n, output)]) {
                    failures.append("matMul \(index) pattern \(pattern): \(failure)")
                }
            }
        }
        failures += try quantizeCases()
        failures += try fusedTailCases()
        failures += try integerCases()
        return failures
    }

    private let outputs: [QuantizedOutput] = [
        .uint8(zeroPoint: 128, lower: 0, upper: 255), .float32(activation: nil),
        .uint8(zeroPoint: 0, lower: 0, upper: 255),
        .float32(activation: FusedActivation(.relu)), .uint8(zeroPoint: 77, lower: 77, upper: 200),
        .float32(activation: FusedActivation(.clip, alpha: -3, beta: 6)),
    ]

    private mutating func biasTensor(_ count: Int) -> Tensor {
        Tensor(shape: [count],
               scalars: (0..<count).map { $0 % 4 == 0 ? Int32.max - Int32($0) : Int32(next(-9000...9000)) })
    }

    /// u8 outputs: multipliers that put results across the code range, with exact halves
    /// (powers of two); float outputs: small scales.
    private mutating func multipliers(_ count: Int, _ output: QuantizedOutput) -> Tensor {
        let choices: [Float] = output.dtype == .uint8 ? [1.0 / 1024, 1.0 / 65536, 3.1e-6, 0.5, 7.7e-4, 1.9e-8]
                                                      : [1e-3, 2.5e-4, 0.5, 3.3e-7]
        return Tensor(shape: [count], scalars: (0..<count).map { _ in choices[next(0...(choices.count - 1))] })
    }

    private mutating func quantizeCases() throws -> [String] {
        var failures: [String] = []
        var values: [Float] = [0, -0, .nan, .infinity, -.infinity, 1e30, -1e30]
        for k in -400...400 { values.append(Float(k) * 0.125 + 0.0625) }
        for _ in 0..<3000 { values.append(Float(next(-300_000...300_000)) / 997) }
        let x = Tensor(shape: [values.count], scalars: values)
        for (scale, zp) in [(Float(0.125), UInt8(128)), (0.37, 0), (0.01, 255)] {
            let constants = [Tensor(scalar: scale), Tensor(scalar: zp)]
            if let failure = try compare(.quantizeLinear(QuantizeOp(outputDType: .uint8)), x: x, constants: constants) {
                failures.append("quantizeLinear scale \(scale) zp \(zp): \(failure)")
            }
            let codes = Tensor(shape: [2, 300], scalars: (0..<600).map { UInt8($0 % 256) })
            let dequantize = OpParameters.dequantizeLinear(QuantizeOp(outputDType: nil))
            if let failure = try compare(dequantize, x: codes, constants: constants) {
                failures.append("dequantizeLinear scale \(scale) zp \(zp): \(failure)")
            }
        }
        return failures
    }
}

final class QuantizedLoweringTests: XCTestCase {
    func testFastInt8ProgramsEqualTheReference() throws {
        var check = QuantizedProgramCheck(seed: 11)
        let failures = try check.runAll()
        XCTAssertEqual(failures, [])
        let names = Set(check.kernels)
        // Printed for the capped child processes (QuantizedCappedISATests) to check.
        print("isa \(DNNLEngine.effectiveISA) kernels: \(names.sorted().joined(separator: "; "))")
        if !DNNLInt32Products.isExactHere {
            XCTAssertFalse(names.contains { $0.hasPrefix("onednn") }, "oneDNN s32 used on \(DNNLEngine.effectiveISA)")
        } else {
            XCTAssertTrue(names.contains { $0.hasPrefix("onednn qu8 gemm") }, "\(names)")
            XCTAssertTrue(names.contains { $0.hasPrefix("onednn qu8 im2col-gemm") }, "\(names)")
        }
        XCTAssertTrue(names.contains { $0.hasPrefix("simd qu8 quantize") }, "\(names)")
        XCTAssertTrue(names.contains { $0.hasPrefix("fixed-point requantize s32→qs8 \(SIMDBuild.current.rawValue)") },
                      "\(names)")
        let integerConv = DNNLInt32Products.isExactHere ? "onednn qs8 conv-s32" : "simd qs8 conv-s32"
        XCTAssertTrue(names.contains { $0.hasPrefix(integerConv) }, "\(names)")
    }

    func testRuntimeWeightsFallBackWithAReason() throws {
        let op = QuantizedMatMulOp(inputZeroPoint: 3, output: .uint8(zeroPoint: 0, lower: 0, upper: 255))
        let values = [PlannedValue(name: "a", dtype: .uint8, shape: [2, 4], place: .arena(offset: 0)),
                      PlannedValue(name: "b", dtype: .int8, shape: [4, 3], place: .arena(offset: 64)),
                      PlannedValue(name: "m", dtype: .float32, shape: [3], place: .constant(index: 0)),
                      PlannedValue(name: "y", dtype: .uint8, shape: [2, 3], place: .arena(offset: 128))]
        let plan = ProgramPlan(name: "p", values: values, inputs: ["a", "b"], outputs: ["y"],
                               steps: [PlannedStep(name: "q", params: .quantizedMatMul(op), inputs: ["a", "b", "", "m"],
                                                   outputs: ["y"])], arenaByteCount: 192, precision: .float32)
        let (_, fallbacks) = try ProgramBuilder.build(plan, constants: [Tensor(shape: [3], scalars: [Float(1), 1, 1])])
        XCTAssertEqual(fallbacks.map { $0.reason }, ["quantizedMatMul b computed at run time or not int8"])
    }
}
