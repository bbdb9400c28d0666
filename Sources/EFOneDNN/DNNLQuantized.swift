// int8 convolution and matmul through oneDNN: u8 source with a zero point, s8 weights with
// symmetric per-output-channel scales, int32 bias and accumulation, and the output either
// requantized to u8 (round half to even, saturated) or dequantized to f32, with the fused
// residual sum and activation computed on real values.

import CDNNL
import EFCore

/// Quantization of an int8 kernel (ONNX QLinearConv / QLinearMatMul conventions).
public struct DNNLQuantization: Sendable, Equatable {
    public enum Output: Sendable, Equatable {
        /// u8 with real = scale · (q − zeroPoint), zeroPoint in 0...255.
        case u8(scale: Float, zeroPoint: Int32)
        /// float32 real values.
        case f32
    }

    public var sourceScale: Float
    /// 0...255.
    public var sourceZeroPoint: Int32
    /// One scale, or one per output channel (conv M) / column (matmul N); weight zero point 0.
    public var weightScales: [Float]
    public var output: Output

    public init(sourceScale: Float, sourceZeroPoint: Int32, weightScales: [Float], output: Output) {
        self.sourceScale = sourceScale
        self.sourceZeroPoint = sourceZeroPoint
        self.weightScales = weightScales
        self.output = output
    }

    /// Sets output scales, zero points and post-ops so that, with acc = Σ (x − zx)·w + bias:
    /// real = sx·sw[c]·acc (+ residual real), y = act(real), then u8 = sat(rne(y/sy) + zy).
    /// A u8 residual in the destination has the output's scale and zero point.
    func configure(_ attributes: PrimitiveAttributes, epilogue: DNNLEpilogue, channels: Int, channelAxis: Int,
                   what: String) throws {
        guard weightScales.count == 1 || weightScales.count == channels,
              (0...255).contains(sourceZeroPoint), sourceScale > 0, sourceScale.isFinite,
              weightScales.allSatisfy({ $0 > 0 && $0.isFinite }) else {
            throw EdgeflowError(.unsupported,
                "oneDNN int8 \(what): need \(channels) (or 1) positive weight scales, a positive source scale and a source zero point in 0...255",
                hint: "run this op with the reference kernel")
        }
        let axis = weightScales.count == 1 ? nil : channelAxis
        try attributes.setZeroPoint(sourceZeroPoint, argument: DNNL_ARG_SRC)
        switch output {
        case .f32:
            try attributes.setOutputScales(weightScales.map { sourceScale * $0 }, perAxis: axis)
            try attributes.setPostOps(residualSum: epilogue.residualSum, activation: epilogue.activation)
        case .u8(let scale, let zeroPoint):
            guard scale > 0, scale.isFinite, (0...255).contains(zeroPoint) else {
                throw EdgeflowError(.unsupported, "oneDNN int8 \(what): output scale \(scale) / zero point \(zeroPoint) out of range")
            }
            try attributes.setZeroPoint(zeroPoint, argument: DNNL_ARG_DST)
            if epilogue.activation == nil {
                // The same multiplier as the reference requantization: (sx · sw) / sy in Float.
                try attributes.setOutputScales(weightScales.map { sourceScale * $0 / scale }, perAxis: axis)
                try attributes.setPostOps(residualSum: epilogue.residualSum, sumZeroPoint: zeroPoint, activation: nil)
            } else {
                try attributes.setOutputScales(weightScales.map { sourceScale * $0 }, perAxis: axis)
                try attributes.setPostOps(residualSum: epilogue.residualSum, sumScale: scale, sumZeroPoint: zeroPoint,
                                          activation: epilogue.activation, activationScale: 1 / scale)
            }
        }
    }

    var destinationType: DNNLType {
        if case .f32 = output { return .f32 }
        return .u8
    }
}

/// An int8 convolution of fixed shape.
public final class DNNLQuantizedConvolution: @unchecked Sendable {
    public let shape: DNNLConvolutionShape
    public let layout: DNNLLayout
    public let quantization: DNNLQuantization
    /// Logical [N, M, out...] (u8 or float32 as `quantization.output`).
    public let outputShape: [Int]
    private let runner: PrimitiveRunner

    public var implementation: String { runner.implementation }
    public var scratchpadByteCount: Int { runner.scratchpadByteCount }

    /// - Parameters:
    ///   - weights: int8 [M, C/groups, kernel...] (ONNX layout, weight zero point 0), packed now.
    ///   - bias: optional int32 [M] at scale sourceScale · weightScales[m] (ONNX QLinearConv bias).
    /// - Throws: `EdgeflowError.invalidInput` for mismatched weights or bias;
    ///   `EdgeflowError.unsupported` for shapes, scales or zero points oneDNN cannot take.
    public init(shape: DNNLConvolutionShape, layout: DNNLLayout, weights: Tensor, bias: Tensor?,
                quantization: DNNLQuantization, epilogue: DNNLEpilogue = DNNLEpilogue()) throws {
        let r = try shape.resolved(transposed: false)
        self.shape = shape
        self.layout = layout
        self.quantization = quantization
        outputShape = r.destinationDims
        try requireOperand(weights, .int8, [shape.outChannels, shape.inChannels / shape.groups] + shape.kernel, "weights")
        if let bias { try requireOperand(bias, .int32, [shape.outChannels], "bias") }
        let engine = try DNNLEngine.shared()
        let attributes = try PrimitiveAttributes()
        try quantization.configure(attributes, epilogue: epilogue, channels: shape.outChannels, channelAxis: 1,
                                   what: shape.description)
        let order = r.order(layout)
        let source = try MemoryDescriptors.dense(r.sourceDims, .u8, order: order)
        let destination = try MemoryDescriptors.dense(r.destinationDims, quantization.destinationType, order: order)
        let weightLayout = r.weights(transposed: false)
        let biasDesc = try bias.map { _ in try MemoryDescriptors.dense([shape.outChannels], .s32) }
        let pd = try PrimitiveDescriptor.convolution(
            transposed: false, source: source, weights: try MemoryDescriptors.any(weightLayout.dims, .s8), bias: biasDesc,
            destination: destination, window: r.window, attributes: attributes, engine: engine, what: shape.description,
            integer: .of(weights))
        var constants = [(DNNL_ARG_WEIGHTS, try weights.withUnsafeBytes {
            try PackedOperand($0.baseAddress!, source: try MemoryDescriptors.dense(weightLayout.dims, .s8, order: weightLayout.order),
                              packed: try pd.memory(dnnl_query_weights_md), engine: engine)
        })]
        if let bias, let biasDesc {
            constants.append((DNNL_ARG_BIAS, try bias.withUnsafeBytes {
                try PackedOperand($0.baseAddress!, source: biasDesc, packed: try pd.memory(dnnl_query_weights_md, index: 1),
                                  engine: engine)
            }))
        }
        runner = try PrimitiveRunner(pd, engine: engine, operands: [
            RuntimeOperand(argument: DNNL_ARG_SRC, desc: source), RuntimeOperand(argument: DNNL_ARG_DST, desc: destination),
        ], constants: constants)
    }

    /// Runs the convolution; thread-safe with distinct buffers.
    /// - Parameters:
    ///   - source: u8 [N, C, in...] in `layout`.
    ///   - destination: u8 or float32 [N, M, out...] in `layout`; holds the residual (same
    ///     type and quantization) on entry when `epilogue.residualSum` is set.
    ///   - scratchpad: `scratchpadByteCount` bytes, or nil when that is 0.
    public func execute(source: UnsafeRawPointer, destination: UnsafeMutableRawPointer,
                        scratchpad: UnsafeMutableRawPointer?) throws {
        try runner.run(scratchpad: scratchpad, UnsafeMutableRawPointer(mutating: source), destination)
    }
}

/// An int8 matrix product of fixed shapes: u8 A [..., M, K] · s8 B [..., K, N].
public final class DNNLQuantizedMatMul: @unchecked Sendable {
    public let shape: DNNLMatMulShape
    public let quantization: DNNLQuantization
    public let outputShape: [Int]
    private let runner: PrimitiveRunner

    public var implementation: String { runner.implementation }
    public var scratchpadByteCount: Int { runner.scratchpadByteCount }

    /// - Parameters:
    ///   - b: constant int8 weights (packed now) or a per-call int8 operand; scales per column.
    ///   - bias: optional int32 [N] at scale sourceScale · weightScales[n].
    /// - Throws: as `DNNLQuantizedConvolution.init`.
    public init(shape: DNNLMatMulShape, b: DNNLMatrixB, bias: Tensor?, quantization: DNNLQuantization,
                epilogue: DNNLEpilogue = DNNLEpilogue()) throws {
        let r = try shape.resolved()
        self.shape = shape
        self.quantization = quantization
        outputShape = r.output
        let attributes = try PrimitiveAttributes()
        try quantization.configure(attributes, epilogue: epilogue, channels: r.n, channelAxis: r.rank - 1,
                                   what: shape.description)
        runner = try makeMatMul(r, shape: shape, types: MatMulTypes(
            a: .u8, b: .s8, converted: false, constantB: .int8, bias: .s32, destination: quantization.destinationType),
            b: b, bias: bias, attributes: attributes)
    }

    /// Runs the product; `a` u8 [..., M, K], `b` int8 [..., K, N] for a runtime B (nil for a
    /// constant one), `destination` u8 or float32 [batch..., M, N] (holding the residual when
    /// fused); thread-safe with distinct buffers.
    public func execute(a: UnsafeRawPointer, b: UnsafeRawPointer?, destination: UnsafeMutableRawPointer,
                        scratchpad: UnsafeMutableRawPointer?) throws {
        try runner.run(scratchpad: scratchpad, UnsafeMutableRawPointer(mutating: a), destination,
                       b.map { UnsafeMutableRawPointer(mutating: $0) })
    }
}
