// Lowering of conv, convTranspose and matMul (with their fused epilogues) onto oneDNN.

import EFCore
import EFIR
import EFKernels
import EFOneDNN
import EFRuntime

enum MatrixLowering {
    static func conv(_ node: Node, _ context: LoweringContext) throws -> any Step {
        let (input, output, weights, bias) = try operands(node, context)
        let residual = try context.optionalInput(node, 3)
        try ElementwiseLowering.requireFloat32(node, [input, output] + (residual.map { [$0] } ?? []))
        let convolution = try make {
            try DNNLConvolution(shape: try shape(node, input: logical(node, input.shape), weights: weights.shape,
                                                 outChannels: weights.shape[0]),
                                layout: layout(node), weights: weights, bias: bias,
                                epilogue: try epilogue(node, residual: residual != nil),
                                precision: precision(context))
        }
        guard convolution.outputShape == logical(node, output.shape) else {
            throw EdgeflowError(.internalError, "oneDNN conv output \(convolution.outputShape) differs from the graph's \(output.shape)")
        }
        return ConvolutionStep(info: info(node, context, convolution.implementation), convolution: convolution,
                               input: input, residual: residual, output: output)
    }

    static func convTranspose(_ node: Node, _ context: LoweringContext) throws -> any Step {
        let (input, output, weights, bias) = try operands(node, context)
        try ElementwiseLowering.requireFloat32(node, [input, output])
        let groups = node.attributes.int("group", default: 1)
        var geometry = try shape(node, input: logical(node, input.shape), weights: weights.shape,
                                 outChannels: weights.shape[1] * groups)
        geometry.outputPadding = node.attributes.ints("outputPadding") ?? []
        let deconvolution = try make {
            try DNNLDeconvolution(shape: geometry, layout: layout(node), weights: weights, bias: bias,
                                  epilogue: try epilogue(node, residual: false), precision: precision(context))
        }
        guard deconvolution.outputShape == logical(node, output.shape) else {
            throw EdgeflowError(.internalError, "oneDNN deconv output \(deconvolution.outputShape) differs from the graph's \(output.shape)")
        }
        return ConvolutionStep(info: info(node, context, deconvolution.implementation), deconvolution: deconvolution,
                               input: input, output: output)
    }

    static func matMul(_ node: Node, _ context: LoweringContext) throws -> any Step {
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
                           epilogue: epilogue, precision: precision(context))
        }
        guard matMul.outputShape == output.shape else {
            throw EdgeflowError(.internalError, "oneDNN matmul output \(matMul.outputShape) differs from the graph's \(output.shape)")
        }
        let step = MatMulStep(info: info(node, context, matMul.implementation), matMul: matMul, a: a,
                              b: constantB == nil ? b : nil, output: output)
        guard let (function, parameters) = separate else { return step }
        let count = output.shape.elementCount
        return KernelStep(info: StepInfo(node: node.name, op: "matMul+\(function.rawValue)",
                                         kernel: step.info.kernel + " + simd", macs: step.info.macs),
                          scratchpadByteCount: step.scratchpadByteCount) { arena, scratchpad in
            try step.run(arena: arena, scratchpad: scratchpad)
            let y = output.floats(arena)
            try FastKernels.unary(function, parameters, input: y, output: y, count: count)
        }
    }

    /// The activation of a fused matMul that should run as a SIMD unary after the product.
    private static func separateActivation(_ node: Node) throws -> (UnaryFunction, UnaryParameters)? {
        guard let name = node.attributes.string("activation"), let function = UnaryFunction(rawValue: name),
              [.gelu, .geluTanh, .sigmoid, .tanh, .elu, .hardSwish, .hardSigmoid].contains(function),
              FastKernels.supportsUnary(function) else { return nil }
        return (function, UnaryParameters(alpha: node.attributes.float("activationAlpha", default: 0),
                                          beta: node.attributes.float("activationBeta", default: 0)))
    }

    // MARK: Shared pieces

    private static func operands(_ node: Node, _ context: LoweringContext) throws
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

    private static func shape(_ node: Node, input: [Int], weights: [Int], outChannels: Int) throws -> DNNLConvolutionShape {
        let attributes = node.attributes
        let spatial = input.count - 2
        let pads = attributes.ints("pads") ?? []
        return DNNLConvolutionShape(batch: input[0], inChannels: input[1], outChannels: outChannels,
                                    inputSpatial: Array(input[2...]), kernel: Array(weights[2...]),
                                    strides: attributes.ints("strides") ?? [], dilations: attributes.ints("dilations") ?? [],
                                    padBegin: pads.isEmpty ? [] : Array(pads.prefix(spatial)),
                                    padEnd: pads.isEmpty ? [] : Array(pads.suffix(spatial)),
                                    groups: attributes.int("group", default: 1))
    }

    /// [N, C, spatial...] of a value stored [N, spatial..., C] by a channels-last node.
    static func logical(_ node: Node, _ shape: [Int]) -> [Int] {
        guard node.attributes.int("channelsLast", default: 0) != 0, shape.count >= 3 else { return shape }
        return [shape[0], shape[shape.count - 1]] + Array(shape[1..<(shape.count - 1)])
    }

    private static func layout(_ node: Node) -> DNNLLayout {
        node.attributes.int("channelsLast", default: 0) != 0 ? .nhwc : .nchw
    }

    private static func precision(_ context: LoweringContext) -> DNNLPrecision {
        context.options.precision == .bfloat16 ? .bf16 : .f32
    }

    private static func epilogue(_ node: Node, residual: Bool) throws -> DNNLEpilogue {
        guard let name = node.attributes.string("activation") else { return DNNLEpilogue(residualSum: residual) }
        guard let activation = DNNLActivation(unaryName: name, alpha: node.attributes.float("activationAlpha", default: 0),
                                              beta: node.attributes.float("activationBeta", default: 0)) else {
            throw FastPathUnavailable("oneDNN cannot fuse activation \(name)")
        }
        return DNNLEpilogue(residualSum: residual, activation: activation)
    }

    private static func info(_ node: Node, _ context: LoweringContext, _ implementation: String) -> StepInfo {
        StepInfo(node: node.name, op: node.op.rawValue, kernel: "onednn \(implementation)",
                 macs: MacCount.of(node, context.graph))
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
