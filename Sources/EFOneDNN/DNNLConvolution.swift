// Float convolution and deconvolution (f32, or bf16 on the weights and source) through oneDNN,
// weights packed once at init, with the fused epilogue y = act(conv(x, w) + bias + residual).

import CDNNL
import EFCore

/// A float convolution of fixed shape, created once and executed many times.
public final class DNNLConvolution: @unchecked Sendable {
    public let shape: DNNLConvolutionShape
    public let layout: DNNLLayout
    public let precision: DNNLPrecision
    public let epilogue: DNNLEpilogue
    /// Logical [N, M, out...] of the destination (physically nchw or nhwc as `layout`).
    public let outputShape: [Int]
    private let runner: PrimitiveRunner
    /// A strided 1×1 conv runs at stride 1 on its gathered pixels (`ConvolutionSubsample`).
    private let subsample: ConvolutionSubsample?

    /// The oneDNN implementation in use, e.g. "brgconv:avx512_core" (for profiles).
    public var implementation: String { runner.implementation + (subsample == nil ? "" : " + gather") }
    /// Bytes of temporary memory `execute` needs (may be 0).
    public var scratchpadByteCount: Int { subsample.map { $0.offset + $0.byteCount } ?? runner.scratchpadByteCount }

    /// - Parameters:
    ///   - weights: float32 [M, C/groups, kernel...] (ONNX layout), packed now into oneDNN's
    ///     preferred layout (bfloat16 when `precision` is `.bf16`); not referenced afterwards.
    ///   - bias: optional float32 [M].
    /// - Throws: `EdgeflowError.invalidInput` when weights or bias do not match `shape`;
    ///   `EdgeflowError.unsupported` when oneDNN cannot run this shape or epilogue (the caller
    ///   then uses the reference kernel).
    public init(shape: DNNLConvolutionShape, layout: DNNLLayout, weights: Tensor, bias: Tensor?,
                epilogue: DNNLEpilogue = DNNLEpilogue(), precision: DNNLPrecision = .f32) throws {
        let resolved = try shape.resolved(transposed: false)
        self.shape = shape
        self.layout = layout
        self.precision = precision
        self.epilogue = epilogue
        outputShape = resolved.destinationDims
        let gather = ConvolutionSubsample(resolved, layout: layout)
        let computed = try gather.map { try $0.strideOne(shape).resolved(transposed: false) } ?? resolved
        runner = try makeFloatConvolution(computed, transposed: false, layout: layout, weights: weights, bias: bias,
                                          epilogue: epilogue, precision: precision)
        subsample = gather?.placed(after: runner.scratchpadByteCount)
    }

    /// Runs the convolution. Safe to call from several threads at once with distinct buffers.
    /// - Parameters:
    ///   - source: float32 [N, C, in...] in `layout`.
    ///   - destination: float32 [N, M, out...] in `layout`; holds the residual on entry when
    ///     `epilogue.residualSum` is set. Must not overlap `source`.
    ///   - scratchpad: `scratchpadByteCount` bytes (64-byte aligned is best); nil when that is 0.
    ///   - parallel: runs a loop over `0..<count` in chunks (the caller's thread pool), for the
    ///     gather of a strided 1×1 conv; by default one chunk on the calling thread.
    /// - Throws: `EdgeflowError.invalidInput` for a missing scratchpad, `.unsupported` if oneDNN fails.
    public func execute(source: UnsafeRawPointer, destination: UnsafeMutableRawPointer,
                        scratchpad: UnsafeMutableRawPointer?,
                        parallel: (_ count: Int, _ body: (Range<Int>) -> Void) -> Void = { $1(0..<$0) }) throws {
        guard let subsample else {
            return try runner.run(scratchpad: scratchpad, UnsafeMutableRawPointer(mutating: source), destination)
        }
        guard let scratchpad else {
            throw EdgeflowError(.invalidInput, "oneDNN convolution (\(implementation)) needs a scratchpad of "
                                + "\(scratchpadByteCount) bytes, got none")
        }
        let gathered = scratchpad + subsample.offset
        parallel(subsample.rowCount) { subsample.gather(source, into: gathered, rows: $0) }
        try runner.run(scratchpad: scratchpad, gathered, destination)
    }
}

/// A float deconvolution (ONNX ConvTranspose) of fixed shape.
public final class DNNLDeconvolution: @unchecked Sendable {
    public let shape: DNNLConvolutionShape
    public let layout: DNNLLayout
    /// Logical [N, M, out...] with out = stride·(in − 1) + outputPadding + dilated kernel − pads.
    public let outputShape: [Int]
    private let runner: PrimitiveRunner

    public var implementation: String { runner.implementation }
    public var scratchpadByteCount: Int { runner.scratchpadByteCount }

    /// - Parameters:
    ///   - shape: as for a convolution, with `outputPadding`; C is the source's channels.
    ///   - weights: float32 [C, M/groups, kernel...] (ONNX ConvTranspose layout).
    ///   - bias: optional float32 [M].
    /// - Throws: as `DNNLConvolution.init`.
    public init(shape: DNNLConvolutionShape, layout: DNNLLayout, weights: Tensor, bias: Tensor?,
                epilogue: DNNLEpilogue = DNNLEpilogue(), precision: DNNLPrecision = .f32) throws {
        let resolved = try shape.resolved(transposed: true)
        self.shape = shape
        self.layout = layout
        outputShape = resolved.destinationDims
        runner = try makeFloatConvolution(resolved, transposed: true, layout: layout, weights: weights, bias: bias,
                                          epilogue: epilogue, precision: precision)
    }

    /// Runs the deconvolution; buffers as `DNNLConvolution.execute`.
    public func execute(source: UnsafeRawPointer, destination: UnsafeMutableRawPointer,
                        scratchpad: UnsafeMutableRawPointer?) throws {
        try runner.run(scratchpad: scratchpad, UnsafeMutableRawPointer(mutating: source), destination)
    }
}

private func makeFloatConvolution(_ r: ResolvedConvolution, transposed: Bool, layout: DNNLLayout, weights: Tensor,
                                  bias: Tensor?, epilogue: DNNLEpilogue,
                                  precision: DNNLPrecision) throws -> PrimitiveRunner {
    let s = r.shape, g = s.groups
    let onnxWeights = (transposed ? [s.inChannels, s.outChannels / g] : [s.outChannels, s.inChannels / g]) + s.kernel
    try requireOperand(weights, .float32, onnxWeights, "weights")
    if let bias { try requireOperand(bias, .float32, [s.outChannels], "bias") }
    let engine = try DNNLEngine.shared()
    let compute: DNNLType = precision == .f32 ? .f32 : .bf16
    let order = r.order(layout)
    let callerSource = try MemoryDescriptors.dense(r.sourceDims, .f32, order: order)
    let source = try MemoryDescriptors.dense(r.sourceDims, compute, order: order)
    let destination = try MemoryDescriptors.dense(r.destinationDims, .f32, order: order)
    let weightLayout = r.weights(transposed: transposed)
    let biasDesc = try bias.map { _ in try MemoryDescriptors.dense([s.outChannels], .f32) }
    let attributes = try PrimitiveAttributes()
    try attributes.setPostOps(residualSum: epilogue.residualSum, activation: epilogue.activation)
    let pd = try PrimitiveDescriptor.convolution(
        transposed: transposed, source: source, weights: try MemoryDescriptors.any(weightLayout.dims, compute),
        bias: biasDesc, destination: destination, window: r.window, attributes: attributes, engine: engine,
        what: s.description)
    var constants = [(DNNL_ARG_WEIGHTS, try weights.withUnsafeBytes {
        let onnxLayout = try MemoryDescriptors.dense(weightLayout.dims, .f32, order: weightLayout.order)
        return try PackedOperand($0.baseAddress!, source: onnxLayout, packed: try pd.memory(dnnl_query_weights_md),
                                 engine: engine)
    })]
    if let bias, let biasDesc {
        constants.append((DNNL_ARG_BIAS, try bias.withUnsafeBytes {
            try PackedOperand($0.baseAddress!, source: biasDesc, packed: try pd.memory(dnnl_query_weights_md, index: 1),
                              engine: engine)
        }))
    }
    return try PrimitiveRunner(pd, engine: engine, operands: [
        RuntimeOperand(argument: DNNL_ARG_SRC, desc: source, callerDesc: precision == .bf16 ? callerSource : nil),
        RuntimeOperand(argument: DNNL_ARG_DST, desc: destination),
    ], constants: constants)
}

/// Checks a constant operand's dtype and shape.
/// - Throws: `EdgeflowError.invalidInput` naming the operand.
func requireOperand(_ tensor: Tensor, _ dtype: DType, _ shape: [Int], _ name: String) throws {
    guard tensor.dtype == dtype, tensor.shape == shape else {
        throw EdgeflowError(.invalidInput,
            "oneDNN kernel: \(name) is \(tensor.dtype.rawValue) \(tensor.shape.shapeDescription), "
                + "expected \(dtype.rawValue) \(shape.shapeDescription)")
    }
}
