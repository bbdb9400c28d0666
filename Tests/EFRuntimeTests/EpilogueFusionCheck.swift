// Int8 products whose float tail (residual add, scalar affine, activations, quantizeLinear) the
// program builder fuses into the product's epilogue (EpilogueFusion), against the same plan
// with the product on its reference kernel — the quantized emulator's configuration, where
// nothing fuses and each float step runs its own fast kernel. Every output byte must be equal.
// Part of QuantizedProgramCheck.runAll, so the capped children run it on every SIMD build.

import EFCore
import EFKernels
import EFOps
import EFRuntime

/// A plan under construction: each arena value in its own 64-byte-aligned slot unless placed.
private struct PlanSketch {
    var values: [PlannedValue] = []
    var constants: [Tensor] = []
    var steps: [PlannedStep] = []
    var arena = 0

    @discardableResult
    mutating func value(_ name: String, _ dtype: DType, _ shape: [Int], at offset: Int? = nil) -> Int {
        let place = offset ?? arena
        values.append(PlannedValue(name: name, dtype: dtype, shape: shape, place: .arena(offset: place)))
        arena = max(arena, place + (shape.elementCount * dtype.byteSize + 63) / 64 * 64)
        return place
    }

    mutating func constant(_ name: String, _ tensor: Tensor) {
        values.append(PlannedValue(name: name, dtype: tensor.dtype, shape: tensor.shape,
                                   place: .constant(index: constants.count)))
        constants.append(tensor)
    }

    mutating func step(_ name: String, _ params: OpParameters, _ inputs: [String], _ output: String) {
        steps.append(PlannedStep(name: name, params: params, inputs: inputs, outputs: [output]))
    }

    func plan(inputs: [String], outputs: [String], productOnReference: Bool) -> ProgramPlan {
        var steps = self.steps
        if productOnReference, let product = steps.firstIndex(where: { $0.name == "product" }) {
            steps[product].kernel = .reference
        }
        return ProgramPlan(name: "tail", values: values, inputs: inputs, outputs: outputs, steps: steps,
                           arenaByteCount: arena, precision: .float32)
    }
}

extension QuantizedProgramCheck {
    /// Fused tails against the unfused plan; returns the failures.
    mutating func fusedTailCases() throws -> [String] {
        var failures: [String] = []
        let quantize = OpParameters.quantizeLinear(QuantizeOp(outputDType: .uint8))
        // ResNet's block tail: NHWC conv (batch 2) → + residual → relu → quantize, the relu output
        // also a graph output; then the same with the relu output written over the residual's slot.
        for inPlace in [false, true] {
            var s = PlanSketch()
            let shape = [2, 9, 7, 24]
            s.value("x", .uint8, [2, 9, 7, 16])
            let residualOffset = s.value("r", .float32, shape)
            s.value("p", .float32, shape)
            s.value("sum", .float32, shape)
            s.value("z", .float32, shape, at: inPlace ? residualOffset : nil)
            s.value("q", .uint8, shape)
            addProduct(&s, conv: true, inputChannels: 16, outputs: 24, activation: nil)
            s.step("add", .binary(.add), ["r", "p"], "sum")
            s.step("relu", .unary(UnaryOp(.relu)), ["sum"], "z")
            addQuantize(&s, "z", scale: 0.05, zeroPoint: 3, quantize)
            let residual = Tensor(shape: shape,
                                  scalars: (0..<shape.elementCount).map { _ in Float(next(-500...500)) / 37 })
            failures += try compareTail(s, ["x": codes([2, 9, 7, 16]), "r": residual], outputs: ["z", "q"],
                                        name: "conv + add + relu + quantize\(inPlace ? " in place" : "")",
                                        expectedStages: "add + relu + quantize")
        }
        // A transformer MLP's fc1: matMul → gelu → · scalar → scalar − t → quantize (only u8 read).
        do {
            var s = PlanSketch()
            s.value("x", .uint8, [3, 5, 40])
            for name in ["p", "g", "m"] { s.value(name, .float32, [3, 5, 33]) }
            s.value("d", .float32, [3, 5, 33])
            s.value("q", .uint8, [3, 5, 33])
            addProduct(&s, conv: false, inputChannels: 40, outputs: 33, activation: nil)
            s.constant("c", Tensor(shape: [1], scalars: [Float(0.75)]))
            s.constant("c2", Tensor(scalar: Float(2.5)))
            s.step("gelu", .unary(UnaryOp(.gelu)), ["p"], "g")
            s.step("mul", .binary(.mul), ["g", "c"], "m")
            s.step("sub", .binary(.sub), ["c2", "m"], "d")
            addQuantize(&s, "d", scale: 0.02, zeroPoint: 128, quantize)
            failures += try compareTail(s, ["x": codes([3, 5, 40])], outputs: ["q"],
                                        name: "matMul + gelu + mul + sub + quantize",
                                        expectedStages: "gelu + mul scalar + sub scalar + quantize")
        }
        // A transformer's residual add after a 2-D matMul: the product is [15, 33], the residual
        // and the sum [1, 15, 33] (same elements, other rank); the sum is all that is read. An
        // unrelated reshape alias at the product's offset, read before the product, must not stop it.
        do {
            var s = PlanSketch()
            s.value("x", .uint8, [15, 40])
            let productOffset = s.value("p", .float32, [15, 33])
            s.value("earlier", .float32, [1, 15, 33], at: productOffset)
            s.value("earlierView", .float32, [15, 33], at: productOffset)
            s.value("r", .float32, [1, 15, 33])
            s.value("seen", .float32, [15, 33])
            s.value("sum", .float32, [1, 15, 33])
            s.step("early", .unary(UnaryOp(.relu)), ["r"], "earlier")
            s.step("look", .unary(UnaryOp(.neg)), ["earlierView"], "seen")
            addProduct(&s, conv: false, inputChannels: 40, outputs: 33, activation: nil)
            s.step("add", .binary(.add), ["r", "p"], "sum")
            let residual = Tensor(shape: [1, 15, 33], scalars: (0..<495).map { _ in Float(next(-500...500)) / 29 })
            failures += try compareTail(s, ["x": codes([15, 40]), "r": residual], outputs: ["sum", "seen"],
                                        name: "matMul [15, 33] + add of a [1, 15, 33] residual",
                                        expectedStages: "add", productStep: 2)
        }
        // Planes longer than one piece (NCHW, 70×70), the product's own clip first, then hard-swish.
        do {
            var s = PlanSketch()
            s.value("x", .uint8, [1, 6, 70, 70])
            for name in ["p", "h"] { s.value(name, .float32, [1, 5, 70, 70]) }
            s.value("q", .uint8, [1, 5, 70, 70])
            addProduct(&s, conv: true, channelsLast: false, inputChannels: 6, outputs: 5,
                       activation: FusedActivation(.clip, alpha: -2, beta: 6))
            s.step("hswish", .unary(UnaryOp(.hardSwish)), ["p"], "h")
            addQuantize(&s, "h", scale: 0.03, zeroPoint: 40, quantize)
            failures += try compareTail(s, ["x": codes([1, 6, 70, 70])], outputs: ["q"],
                                        name: "NCHW conv + clip + hardSwish + quantize",
                                        expectedStages: "clip + hardSwish + quantize")
        }
        // Large enough to run block by block (9 blocks of ~128 KiB on the SIMD GEMM), with the
        // tail's float output written over the conv's input: the step must copy its input first,
        // or the first blocks' outputs would overwrite what later blocks read.
        do {
            var s = PlanSketch()
            let inputOffset = s.value("x", .uint8, [1, 60, 80, 16])
            s.value("z", .float32, [1, 60, 80, 24], at: inputOffset)  // "p" is placed after it, apart
            s.value("p", .float32, [1, 60, 80, 24])
            s.value("q", .uint8, [1, 60, 80, 24])
            addProduct(&s, conv: true, inputChannels: 16, outputs: 24, activation: nil)
            s.step("relu", .unary(UnaryOp(.relu)), ["p"], "z")
            addQuantize(&s, "z", scale: 0.05, zeroPoint: 3, quantize)
            failures += try compareTail(s, ["x": codes([1, 60, 80, 16])], outputs: ["z", "q"],
                                        name: "conv in blocks + relu + quantize over its input",
                                        expectedStages: "relu + quantize", blocked: true)
        }
        // The same for a depthwise conv, in blocks of whole output rows (8 blocks of 16 rows).
        do {
            var s = PlanSketch()
            let inputOffset = s.value("x", .uint8, [1, 128, 128, 16])
            s.value("z", .float32, [1, 128, 128, 16], at: inputOffset)
            s.value("p", .float32, [1, 128, 128, 16])
            s.value("q", .uint8, [1, 128, 128, 16])
            addProduct(&s, conv: true, inputChannels: 16, outputs: 16, activation: nil, depthwise: true)
            s.step("relu", .unary(UnaryOp(.relu)), ["p"], "z")
            addQuantize(&s, "z", scale: 0.05, zeroPoint: 3, quantize)
            failures += try compareTail(s, ["x": codes([1, 128, 128, 16])], outputs: ["z", "q"],
                                        name: "depthwise conv in blocks + relu + quantize over its input",
                                        expectedStages: "relu + quantize", blocked: true)
        }
        return failures
    }

    private mutating func codes(_ shape: [Int]) -> Tensor {
        Tensor(shape: shape, scalars: (0..<shape.elementCount).map { _ in UInt8(next(0...255)) })
    }

    /// The product step writing "p" from "x" with constant weights, bias and scales.
    private mutating func addProduct(_ s: inout PlanSketch, conv: Bool, channelsLast: Bool = true, inputChannels: Int,
                                     outputs: Int, activation: FusedActivation?, depthwise: Bool = false) {
        let weightShape = conv ? [outputs, depthwise ? 1 : inputChannels, 3, 3] : [inputChannels, outputs]
        s.constant("w", Tensor(shape: weightShape, scalars: (0..<weightShape.elementCount).map { _ in
            Int8(next(-128...127))
        }))
        s.constant("b", Tensor(shape: [outputs], scalars: (0..<outputs).map { _ in Int32(next(-9000...9000)) }))
        s.constant("s", Tensor(shape: [outputs], scalars: (0..<outputs).map { _ in Float(next(1...40)) * 1e-5 }))
        let output = QuantizedOutput.float32(activation: activation)
        let params: OpParameters = conv
            ? .quantizedConv(QuantizedConvOp(window: ConvParameters(pads: [1, 1, 1, 1], group: depthwise ? outputs : 1),
                                             channelsLast: channelsLast, inputZeroPoint: 7, output: output))
            : .quantizedMatMul(QuantizedMatMulOp(inputZeroPoint: 130, output: output))
        s.step("product", params, ["x", "w", "b", "s"], "p")
    }

    private func addQuantize(_ s: inout PlanSketch, _ input: String, scale: Float, zeroPoint: UInt8,
                             _ quantize: OpParameters) {
        s.constant("qs", Tensor(scalar: scale))
        s.constant("qz", Tensor(scalar: zeroPoint))
        s.step("quantize", quantize, [input, "qs", "qz"], "q")
    }

    /// - Parameter blocked: the product must run block by block where it runs on the SIMD GEMM or
    ///   the direct depthwise kernel.
    /// - Parameter productStep: the product's index among the steps (the steps before it run
    ///   unfused).
    private mutating func compareTail(_ s: PlanSketch, _ inputs: [String: Tensor], outputs: [String], name: String,
                                      expectedStages: String, blocked: Bool = false,
                                      productStep: Int = 0) throws -> [String] {
        let names = Array(inputs.keys).sorted()
        let (fused, fusedFallbacks) = try ProgramBuilder.build(
            s.plan(inputs: names, outputs: outputs, productOnReference: false), constants: s.constants)
        let (plain, _) = try ProgramBuilder.build(s.plan(inputs: names, outputs: outputs, productOnReference: true),
                                                  constants: s.constants)
        guard fusedFallbacks.isEmpty, fused.steps.count == productStep + 1 else {
            return ["\(name): not fused (\(fused.steps.map(\.info.kernel)), \(fusedFallbacks.map(\.reason)))"]
        }
        kernels.append(fused.steps[productStep].info.kernel)
        let kernel = fused.steps[productStep].info.kernel
        guard kernel.hasSuffix("dequant + \(expectedStages)"),
              !blocked || !(kernel.hasPrefix("simd qu8 conv-gemm") || kernel.hasPrefix("qu8 dwconv"))
                || kernel.contains(" blocked ") else {
            return ["\(name): kernel \(kernel)"]
        }
        let actual = try ExecutionContext(program: fused).run(inputs)
        let expected = try ExecutionContext(program: plain).run(inputs)
        return outputs.compactMap { output in
            let same = actual[output]!.withUnsafeBytes { a in
                expected[output]!.withUnsafeBytes { a.elementsEqual($0) }
            }
            return same ? nil : "\(name): output \(output) bytes differ [\(kernel)]"
        }
    }
}
