// Float matrix products through oneDNN (MatMul with broadcast batch dims, Gemm / inner
// product as a constant B plus bias), with B either packed once or given per call, in f32 or
// bf16, and the fused epilogue y = act(A·B + bias + residual).

import CDNNL
import EFCore

/// The B operand of a matrix product.
public enum DNNLMatrixB {
    /// Constant weights, packed at init and not referenced afterwards: [..., K, N] as in the
    /// shape, or [..., N, K] when `transposed` (ONNX Gemm with transB = 1). float32 for float
    /// kernels, int8 for int8 kernels.
    case constant(Tensor, transposed: Bool = false)
    /// Given on every `execute`, row-major [..., K, N] as in the shape (float32 or int8).
    case runtime
}

/// A float matrix product of fixed shapes, created once and executed many times.
public final class DNNLMatMul: @unchecked Sendable {
    public let shape: DNNLMatMulShape
    /// [broadcast batch..., M, N].
    public let outputShape: [Int]
    public let hasRuntimeB: Bool
    private let runner: PrimitiveRunner

    public var implementation: String { runner.implementation }
    public var scratchpadByteCount: Int { runner.scratchpadByteCount }

    /// - Parameters:
    ///   - b: constant float32 weights (packed now, as bf16 for `.bf16`) or a per-call operand.
    ///   - bias: optional float32 [N].
    /// - Throws: `EdgeflowError.invalidInput` when B or the bias do not match `shape`;
    ///   `EdgeflowError.unsupported` when oneDNN cannot run it (use the reference kernel).
    public init(shape: DNNLMatMulShape, b: DNNLMatrixB, bias: Tensor?, epilogue: DNNLEpilogue = DNNLEpilogue(),
                precision: DNNLPrecision = .f32) throws {
        let resolved = try shape.resolved()
        self.shape = shape
        outputShape = resolved.output
        if case .runtime = b { hasRuntimeB = true } else { hasRuntimeB = false }
        let attributes = try PrimitiveAttributes()
        try attributes.setPostOps(residualSum: epilogue.residualSum, activation: epilogue.activation)
        let compute: DNNLType = precision == .f32 ? .f32 : .bf16
        runner = try makeMatMul(resolved, shape: shape, types: MatMulTypes(
            a: compute, b: compute, converted: precision == .bf16, constantB: .float32, bias: .f32, destination: .f32),
            b: b, bias: bias, attributes: attributes)
    }

    /// Runs the product. Safe to call from several threads at once with distinct buffers.
    /// - Parameters:
    ///   - a: float32 row-major [..., M, K] (shape.a).
    ///   - b: float32 row-major [..., K, N] for a runtime B; ignored (pass nil) for a constant B.
    ///   - destination: float32 [batch..., M, N]; holds the residual on entry when
    ///     `epilogue.residualSum` is set. Must not overlap the operands.
    ///   - scratchpad: `scratchpadByteCount` bytes, or nil when that is 0.
    /// - Throws: `EdgeflowError.invalidInput` for a missing B or scratchpad.
    public func execute(a: UnsafeRawPointer, b: UnsafeRawPointer?, destination: UnsafeMutableRawPointer,
                        scratchpad: UnsafeMutableRawPointer?) throws {
        try runner.run(scratchpad: scratchpad, UnsafeMutableRawPointer(mutating: a), destination,
                       b.map { UnsafeMutableRawPointer(mutating: $0) })
    }
}

/// Element types of one matmul: what the primitive computes on, whether float32 caller
/// operands are converted first (bf16), and the dtypes of the constants.
struct MatMulTypes {
    var a: DNNLType, b: DNNLType
    var converted: Bool
    var constantB: DType
    var bias: DNNLType
    var destination: DNNLType
}

/// Builds the runner of a matmul; operands in order A, destination, runtime B.
func makeMatMul(_ r: ResolvedMatMul, shape: DNNLMatMulShape, types: MatMulTypes, b: DNNLMatrixB, bias: Tensor?,
                attributes: PrimitiveAttributes) throws -> PrimitiveRunner {
    let engine = try DNNLEngine.shared()
    let biasDesc = try bias.map { tensor -> dnnl_memory_desc_t in
        try requireOperand(tensor, types.bias == .f32 ? .float32 : .int32, [r.n], "bias")
        return try MemoryDescriptors.dense(r.biasDims, types.bias)
    }
    let a = try MemoryDescriptors.dense(r.a, types.a)
    let destination = try MemoryDescriptors.dense(r.output, types.destination)
    var operands = [
        RuntimeOperand(argument: DNNL_ARG_SRC, desc: a, callerDesc: types.converted ? try MemoryDescriptors.dense(r.a, .f32) : nil),
        RuntimeOperand(argument: DNNL_ARG_DST, desc: destination),
    ]
    let weights: dnnl_memory_desc_t
    switch b {
    case .constant(let tensor, let transposed):
        let expected = transposed ? shape.b.dropLast(2) + [r.b[r.rank - 1], r.b[r.rank - 2]] : shape.b
        try requireOperand(tensor, types.constantB, Array(expected), "B")
        // f32: pack B as [..., N, K]. Measured on AVX2 (gemm:jit), a 50×768·768×3072 product
        // runs 1.7× faster than with the layout `any` picks (plain [K, N]).
        weights = types.b == .f32 ? try MemoryDescriptors.dense(r.b, .f32, order: r.bOrder(transposed: true))
                                  : try MemoryDescriptors.any(r.b, types.b)
    case .runtime:
        weights = try MemoryDescriptors.dense(r.b, types.b)
        operands.append(RuntimeOperand(argument: DNNL_ARG_WEIGHTS, desc: weights,
                                       callerDesc: types.converted ? try MemoryDescriptors.dense(r.b, .f32) : nil))
    }
    var constantWeights: Tensor?
    if case .constant(let tensor, _) = b { constantWeights = tensor }
    let pd = try PrimitiveDescriptor.matMul(source: a, weights: weights, bias: biasDesc, destination: destination,
                                            attributes: attributes, engine: engine, what: shape.description,
                                            integer: types.a != .u8 ? .none : constantWeights.map { .of($0) } ?? .fullRange)
    var constants: [(Int32, PackedOperand)] = []
    if case .constant(let tensor, let transposed) = b {
        let callerType: DNNLType = types.constantB == .float32 ? .f32 : .s8
        let source = try MemoryDescriptors.dense(r.b, callerType, order: r.bOrder(transposed: transposed))
        constants.append((DNNL_ARG_WEIGHTS, try tensor.withUnsafeBytes {
            try PackedOperand($0.baseAddress!, source: source, packed: try pd.memory(dnnl_query_weights_md), engine: engine)
        }))
    }
    if let bias, let biasDesc {
        constants.append((DNNL_ARG_BIAS, try bias.withUnsafeBytes {
            try PackedOperand($0.baseAddress!, source: biasDesc, packed: try pd.memory(dnnl_query_weights_md, index: 1),
                              engine: engine)
        }))
    }
    return try PrimitiveRunner(pd, engine: engine, operands: operands, constants: constants)
}
