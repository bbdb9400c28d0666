// Lowering of conv, convTranspose and matMul (with their fused epilogues) onto oneDNN.

import EFCore
import EFOps
import EFKernels
import EFOneDNN

enum MatrixLowering {
    static func conv(_ node: PlannedStep, _ context: StepContext) throws -> any Step {
        let (input, output, weights, bias) = try operands(node, context)
        let residual = try context.optionalInput(node, 3)
        try ElementwiseLowering.requireFloat32(node, [input, output] + (residual.map { [$0] } ?? []))
        let convolution = try make {
            try DNNLConvolution(shape: try shape(node, input: logical(node, input.shape), weights: weights.shape,
                                                 outChannels: weights.shape[0]),
                                layout: layout(node), weights: weights, bias: bias,
                                epilogue: try epilogue(node, residual: residual != nil),
                                precision: precision(node, context))
        }
        guard convolution.outputShape == logical(node, output.shape) else {
            throw EdgeflowError(.internalError, "oneDNN conv output \(convolution.outputShape) differs from the "
                                + "graph's \(output.shape)")
        }
        return ConvolutionStep(info: info(node, context, convolution.implementation), convolution: convolution,
                               input: input, residual: residual, output: output)
    }

    static func convTranspose(_ node: PlannedStep, _ context: StepContext) throws -> any Step {
        let (input, output, weights, bias) = try operands(node, context)
        try ElementwiseLowering.requireFloat32(node, [input, output])
        guard case .convTranspose(let deconv) = node.params else { throw FastLowering.mismatch(node) }
        if let step = try make({
            try PatchDeconvLowering.lower(node, context, weights: weights, bias: bias,
                                          epilogue: try epilogue(node, residual: false),
                                          precision: precision(node, context))
        }) {
            return step
        }
        let groups = deconv.window.group
        var geometry = try shape(node, input: logical(node, input.shape), weights: weights.shape,
                                 outChannels: weights.shape[1] * groups)
        geometry.outputPadding = deconv.outputPadding
        let deconvolution = try make {
            try DNNLDeconvolution(shape: geometry, layout: layout(node), weights: weights, bias: bias,
                                  epilogue: try epilogue(node, residual: false), precision: precision(node, context))
        }
        guard deconvolution.outputShape == logical(node, output.shape) else {
            throw EdgeflowError(.internalError, "oneDNN deconv output \(deconvolution.outputShape) differs from "
                                + "the graph's \(output.shape)")
        }
        return ConvolutionStep(info: info(node, context, deconvolution.implementation), deconvolution: deconvolution,
                               input: input, output: output)
    }

    static func matMul(_ node: PlannedStep, _ context: StepContext) throws -> any Step {
        let a = try context.tensor(node.inputs[0]), b = try context.tensor(node.inputs[1])
        let output = try context.tensor(node.outputs[0])
        try ElementwiseLowering.requireFloat32(node, [a, b, output])
        guard a.shape.count >= 2, b.shape.count >= 2 else {
            throw FastPathUnavailable("rank-1 matMul operands run on the reference kernel")
        }
        let bias = context.constant(node, 2)
        if context.optionalInputName(node, 2) != nil && bias == nil {
            throw FastPathUnavailable("matMul bias computed at run time")
        }
        let constantB = context.constant(node, 1)
        // oneDNN's gemm-based matmul applies transcendental post-ops one element at a time
        // (measured: GELU doubled a 50×768·768×3072 product); those run as an in-place SIMD
        // unary after the product instead.
        let separate = try separateActivation(node)
        var fused = try epilogue(node, residual: false)
        if separate != nil { fused.activation = nil }
        let epilogue = fused
        let matMul = try make {
            try DNNLMatMul(shape: DNNLMatMulShape(a: a.shape, b: b.shape),
                           b: constantB.map { .constant($0) } ?? .runtime, bias: bias,
                           epilogue: epilogue, precision: precision(node, context))
        }
        guard matMul.outputShape == output.shape else {
            throw EdgeflowError(.internalError,
                                "oneDNN matmul output \(matMul.outputShape) differs from the graph's \(output.shape)")
        }
        let step = MatMulStep(info: info(node, context, matMul.implementation), matMul: matMul, a: a,
                              b: constantB == nil ? b : nil, output: output)
        guard let (function, parameters) = separate else { return step }
        let count = output.shape.elementCount
        return KernelStep(info: context.info(node, kernel: step.info.kernel + " + simd \(SIMDKernels.isa)",
                                             op: "matMul+\(function.rawValue)"),
                          scratchpadByteCount: step.scratchpadByteCount) { arena, scratchpad in
            try step.run(arena: arena, scratchpad: scratchpad)
            let y = output.floats(arena)
            try SIMDKernels.unary(function, parameters, input: y, output: y, count: count)
        }
    }

    /// The activation of a fused matMul that should run as a SIMD unary after the product.
    private static func separateActivation(_ node: PlannedStep) throws -> (UnaryFunction, UnaryParameters)? {
        guard let activation = node.params.fusedActivation,
              [.gelu, .geluTanh, .sigmoid, .tanh, .elu, .hardSwish, .hardSigmoid].contains(activation.fn),
              FastKernels.supportsUnary(activation.fn) else { return nil }
        return (activation.fn, activation.constants)
    }

    // MARK: Shared pieces

    private static func operands(_ node: PlannedStep, _ context: StepContext) throws
        -> (StepTensor, StepTensor, Tensor, Tensor?) {
        let input = try context.tensor(node.inputs[0]), output = try context.tensor(node.outputs[0])
        guard let weights = context.constant(node, 1) else {
            throw FastPathUnavailable("\(node.op.rawValue) weights computed at run time")
        }
        let bias = context.constant(node, 2)
        if context.optionalInputName(node, 2) != nil && bias == nil {
            throw FastPathUnavailable("\(node.op.rawValue) bias computed at run time")
        }
        guard weights.dtype == .float32, input.shape.count >= 3 else {
            throw FastPathUnavailable("\(node.op.rawValue) needs float32 weights and a spatial input")
        }
        return (input, output, weights, bias)
    }

    private static func shape(_ node: PlannedStep, input: [Int], weights: [Int], outChannels: Int) throws
        -> DNNLConvolutionShape {
        guard let window = node.params.convWindow else { throw FastLowering.mismatch(node) }
        let spatial = input.count - 2
        let pads = window.pads
        return DNNLConvolutionShape(batch: input[0], inChannels: input[1], outChannels: outChannels,
                                    inputSpatial: Array(input[2...]), kernel: Array(weights[2...]),
                                    strides: window.strides, dilations: window.dilations,
                                    padBegin: pads.isEmpty ? [] : Array(pads.prefix(spatial)),
                                    padEnd: pads.isEmpty ? [] : Array(pads.suffix(spatial)),
                                    groups: window.group)
    }

    /// [N, C, spatial...] of a value stored [N, spatial..., C] by a channels-last node.
    static func logical(_ node: PlannedStep, _ shape: [Int]) -> [Int] {
        guard node.params.isChannelsLast, shape.count >= 3 else { return shape }
        return [shape[0], shape[shape.count - 1]] + Array(shape[1..<(shape.count - 1)])
    }

    private static func layout(_ node: PlannedStep) -> DNNLLayout {
        node.params.isChannelsLast ? .nhwc : .nchw
    }

    private static func precision(_ node: PlannedStep, _ context: StepContext) -> DNNLPrecision {
        context.precision(of: node) == .bfloat16 ? .bf16 : .f32
    }

    private static func epilogue(_ node: PlannedStep, residual: Bool) throws -> DNNLEpilogue {
        guard let fused = node.params.fusedActivation else { return DNNLEpilogue(residualSum: residual) }
        let name = fused.fn.rawValue
        guard let activation = DNNLActivation(unaryName: name, alpha: fused.alpha, beta: fused.beta) else {
            throw FastPathUnavailable("oneDNN cannot fuse activation \(name)")
        }
        return DNNLEpilogue(residualSum: residual, activation: activation)
    }

    private static func info(_ node: PlannedStep, _ context: StepContext, _ implementation: String) -> StepInfo {
        context.info(node, kernel: "onednn \(implementation)")
    }

    /// Runs a oneDNN constructor; `.unsupported` becomes a reference fallback with its message.
    private static func make<T>(_ body: () throws -> T) throws -> T {
        do {
            return try body()
        } catch let error as EdgeflowError where error.kind == .unsupported {
            throw FastPathUnavailable("oneDNN: \(error.message)")
        }
    }
}
