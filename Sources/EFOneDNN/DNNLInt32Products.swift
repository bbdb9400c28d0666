// int8 convolution and matmul through oneDNN with plain int32 results: u8 source (conv: with
// its zero point given to oneDNN; matmul: without, the caller folds −zp·Σw into its bias),
// s8 weights packed once, s32 destination, no bias, no scales, no post-ops. The caller runs
// its own bit-exact epilogue (bias, requantization) on the accumulators.
//
// Measured with oneDNN 2.6.3 on an AMD EPYC Zen 4 (AVX-512 VNNI and BF16, no AMX), capping
// ONEDNN_MAX_CPU_ISA in child processes (Tests/EFOneDNNTests/DNNLInt32ExactnessTests.swift,
// `edgeflow-kernel-bench --check-int32`), with accumulators up to ±2^30 (K = 5000..40000,
// x = 255, w = ±127 runs) and random data, against Kernels.quantized*Accumulators:
// - avx512_core_vnni, avx512_core_bf16: every conv (1×1, 3×3 stride 2, dilated, grouped,
//   depthwise, both layouts, source zero point) and matmul (with batch) bit-exact;
// - avx512_core, avx2: the jit kernels (gemm:jit, jit_int8*, jit_uni_int8*) multiply with
//   vpmaddubsw and saturate int16 pairs: 18 of 33 cases wrong, by up to 6.4e8 (x = 255,
//   w = 127, K = 40000), and random full-range data is wrong in nearly every output too;
// - oneDNN's reference matmul ("ref_int8:any", what the exact-only filter leaves without VNNI)
//   routes s32 through f32: off by 8 to 64 once |acc| > 2^24. Its reference conv was exact.
// Hence `exactInt32ISAs`, and the runtime also refuses "ref" implementations (slow or inexact)
// and uses its own Swift SIMD GEMM instead. AMX and avx2_vnni were not measured (no such CPU).

import CDNNL
import EFCore

/// Where oneDNN's int8 kernels have been shown to give exact int32 sums for full-range weights.
public enum DNNLInt32Products {
    /// The effective ISAs (`DNNLEngine.effectiveISA`) on which full-range u8·s8 → s32 kernels
    /// were measured bit-exact (see the comment at the top of this file).
    public static let exactInt32ISAs: Set<String> = ["avx512_core_vnni", "avx512_core_bf16"]

    /// True when this process's oneDNN dispatches to one of `exactInt32ISAs`.
    public static var isExactHere: Bool { exactInt32ISAs.contains(DNNLEngine.effectiveISA) }
}

/// An int8 convolution of fixed shape with an int32 destination: Σ (x − zp)·w, padding = zp.
public final class DNNLInt8ConvolutionS32: @unchecked Sendable {
    public let shape: DNNLConvolutionShape
    public let layout: DNNLLayout
    /// Logical [N, M, out...] of the int32 destination (physically nchw or nhwc as `layout`).
    public let outputShape: [Int]
    private let runner: PrimitiveRunner

    /// The oneDNN implementation, e.g. "brgconv:avx512_core_vnni".
    public var implementation: String { runner.implementation }
    public var scratchpadByteCount: Int { runner.scratchpadByteCount }

    /// - Parameters:
    ///   - weights: int8 [M, C/groups, kernel...], packed now.
    ///   - sourceZeroPoint: 0...255, subtracted from every source value (padding counts as it).
    ///   - exactOnly: when true (the default), an ISA without VNNI/AMX only gets oneDNN's
    ///     reference implementation; false takes the first one offered (to measure it).
    /// - Throws: `EdgeflowError.invalidInput` for mismatched weights; `.unsupported` when oneDNN
    ///   cannot run the shape.
    public init(shape: DNNLConvolutionShape, layout: DNNLLayout, weights: Tensor, sourceZeroPoint: Int32,
                exactOnly: Bool = true) throws {
        let r = try shape.resolved(transposed: false)
        self.shape = shape
        self.layout = layout
        outputShape = r.destinationDims
        let weightShape = [shape.outChannels, shape.inChannels / shape.groups] + shape.kernel
        try requireOperand(weights, .int8, weightShape, "weights")
        guard (0...255).contains(sourceZeroPoint) else {
            throw EdgeflowError(.invalidInput,
                                "oneDNN int8 conv: source zero point \(sourceZeroPoint) is outside 0...255")
        }
        let engine = try DNNLEngine.shared()
        let attributes = try PrimitiveAttributes()
        try attributes.setZeroPoint(sourceZeroPoint, argument: DNNL_ARG_SRC)
        let order = r.order(layout)
        let source = try MemoryDescriptors.dense(r.sourceDims, .u8, order: order)
        let destination = try MemoryDescriptors.dense(r.destinationDims, .s32, order: order)
        let weightLayout = r.weights(transposed: false)
        let pd = try PrimitiveDescriptor.convolution(
            transposed: false, source: source, weights: try MemoryDescriptors.any(weightLayout.dims, .s8), bias: nil,
            destination: destination, window: r.window, attributes: attributes, engine: engine, what: shape.description,
            integer: exactOnly ? .of(weights) : .none)
        let packed = try weights.withUnsafeBytes {
            try PackedOperand($0.baseAddress!, source: try MemoryDescriptors.dense(weightLayout.dims, .s8,
                                                                                  order: weightLayout.order),
                              packed: try pd.memory(dnnl_query_weights_md), engine: engine)
        }
        runner = try PrimitiveRunner(pd, engine: engine, operands: [
            RuntimeOperand(argument: DNNL_ARG_SRC, desc: source),
            RuntimeOperand(argument: DNNL_ARG_DST, desc: destination),
        ], constants: [(DNNL_ARG_WEIGHTS, packed)])
    }

    /// Runs the convolution; thread-safe with distinct buffers.
    /// - Parameters: source u8 [N, C, in...] and destination int32 [N, M, out...], both in
    ///   `layout`; scratchpad `scratchpadByteCount` bytes (nil when 0).
    public func execute(source: UnsafeRawPointer, destination: UnsafeMutableRawPointer,
                        scratchpad: UnsafeMutableRawPointer?) throws {
        try runner.run(scratchpad: scratchpad, UnsafeMutableRawPointer(mutating: source), destination)
    }
}

/// An int8 matrix product of fixed shape with an int32 destination: u8 A [..., M, K] · s8 B
/// [K, N] (constant, packed once), no zero point.
public final class DNNLInt8MatMulS32: @unchecked Sendable {
    public let shape: DNNLMatMulShape
    /// [batch..., M, N].
    public let outputShape: [Int]
    private let runner: PrimitiveRunner

    public var implementation: String { runner.implementation }
    public var scratchpadByteCount: Int { runner.scratchpadByteCount }

    /// - Parameters:
    ///   - weights: int8 [K, N] (shape.b), packed now.
    ///   - exactOnly: as `DNNLInt8ConvolutionS32.init`.
    /// - Throws: `EdgeflowError.invalidInput` for mismatched weights; `.unsupported` when oneDNN
    ///   cannot run the shape.
    public init(shape: DNNLMatMulShape, weights: Tensor, exactOnly: Bool = true) throws {
        let r = try shape.resolved()
        self.shape = shape
        outputShape = r.output
        let engine = try DNNLEngine.shared()
        try requireOperand(weights, .int8, shape.b, "B")
        let a = try MemoryDescriptors.dense(r.a, .u8)
        let destination = try MemoryDescriptors.dense(r.output, .s32)
        let pd = try PrimitiveDescriptor.matMul(source: a, weights: try MemoryDescriptors.any(r.b, .s8), bias: nil,
                                                destination: destination, attributes: try PrimitiveAttributes(),
                                                engine: engine, what: shape.description,
                                                integer: exactOnly ? .of(weights) : .none)
        let packed = try weights.withUnsafeBytes {
            try PackedOperand($0.baseAddress!, source: try MemoryDescriptors.dense(r.b, .s8),
                              packed: try pd.memory(dnnl_query_weights_md), engine: engine)
        }
        runner = try PrimitiveRunner(pd, engine: engine, operands: [
            RuntimeOperand(argument: DNNL_ARG_SRC, desc: a), RuntimeOperand(argument: DNNL_ARG_DST, desc: destination),
        ], constants: [(DNNL_ARG_WEIGHTS, packed)])
    }

    /// Runs the product: a u8 row-major [..., M, K], destination int32 [batch..., M, N],
    /// scratchpad `scratchpadByteCount` bytes (nil when 0); thread-safe with distinct buffers.
    public func execute(a: UnsafeRawPointer, destination: UnsafeMutableRawPointer,
                        scratchpad: UnsafeMutableRawPointer?) throws {
        try runner.run(scratchpad: scratchpad, UnsafeMutableRawPointer(mutating: a), destination)
    }
}
