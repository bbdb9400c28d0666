// Every oneDNN 2.x descriptor call in one place: memory descriptors, primitive attributes
// (scratchpad mode, output scales, zero points, post-ops), and the convolution,
// deconvolution, matmul and reorder primitive descriptors. A move to oneDNN 3.x (which
// replaced `*_desc_init` and output scales) rewrites this file and leaves the kernels alone.

import CDNNL
import EFCore

/// Element types the kernels hand to oneDNN.
enum DNNLType {
    case f32, bf16, s8, u8, s32

    var raw: dnnl_data_type_t {
        switch self {
        case .f32: return dnnl_f32
        case .bf16: return dnnl_bf16
        case .s8: return dnnl_s8
        case .u8: return dnnl_u8
        case .s32: return dnnl_s32
        }
    }
}

enum MemoryDescriptors {
    /// A dense descriptor of logical `dims` whose physical nesting is `order` (outermost
    /// axis first; e.g. [0, 2, 3, 1] for nhwc).
    static func dense(_ dims: [Int], _ type: DNNLType, order: [Int]? = nil) throws -> dnnl_memory_desc_t {
        let order = order ?? Array(dims.indices)
        var strides = [Int64](repeating: 0, count: dims.count)
        var step: Int64 = 1
        for axis in order.reversed() {
            strides[axis] = step
            step *= Int64(dims[axis])
        }
        var desc = dnnl_memory_desc_t()
        try check(dnnl_memory_desc_init_by_strides(&desc, Int32(dims.count), dims.map(Int64.init), type.raw, strides),
                  "memory descriptor \(dims)")
        return desc
    }

    /// A descriptor that lets the primitive choose the layout (used for packed weights).
    static func any(_ dims: [Int], _ type: DNNLType) throws -> dnnl_memory_desc_t {
        var desc = dnnl_memory_desc_t()
        try check(dnnl_memory_desc_init_by_tag(&desc, Int32(dims.count), dims.map(Int64.init), type.raw,
                                               dnnl_format_tag_any), "memory descriptor \(dims) (any layout)")
        return desc
    }

    static func byteCount(_ desc: dnnl_memory_desc_t) -> Int {
        withUnsafePointer(to: desc) { dnnl_memory_desc_get_size($0) }
    }
}

/// What a primitive multiplies: floats, u8·s8 with weights known to lie in −64...64 (no
/// saturation on any CPU), or full-range u8·s8 (needs VNNI/AMX or the reference kernel).
enum IntegerProducts {
    case none, sevenBitWeights, fullRange

    /// `.sevenBitWeights` when every int8 in `weights` lies in −64...64, else `.fullRange`.
    static func of(_ weights: Tensor?) -> IntegerProducts {
        guard let weights, weights.dtype == .int8 else { return .fullRange }
        let small = weights.withUnsafeBufferPointer(as: Int8.self) { $0.allSatisfy { (-64...64).contains($0) } }
        return small ? .sevenBitWeights : .fullRange
    }
}

/// Primitive attributes: always a user-owned scratchpad, plus optional scales, zero points
/// and post-ops.
final class PrimitiveAttributes {
    let raw: dnnl_primitive_attr_t

    init() throws {
        var attr: dnnl_primitive_attr_t?
        try check(dnnl_primitive_attr_create(&attr), "attribute creation")
        guard let attr else { throw EdgeflowError(.internalError, "oneDNN returned no attribute") }
        raw = attr
        try check(dnnl_primitive_attr_set_scratchpad_mode(raw, dnnl_scratchpad_mode_user), "scratchpad mode")
    }

    deinit { dnnl_primitive_attr_destroy(raw) }

    /// Scales applied to the accumulator (after bias) before post-ops: one value, or one per
    /// index of the dimension `perAxis` of the destination.
    func setOutputScales(_ scales: [Float], perAxis axis: Int?) throws {
        let mask: Int32 = axis.map { 1 << Int32($0) } ?? 0
        try check(dnnl_primitive_attr_set_output_scales(raw, Int64(scales.count), mask, scales), "output scales")
    }

    /// A common zero point of argument `argument` (DNNL_ARG_SRC or DNNL_ARG_DST).
    func setZeroPoint(_ zeroPoint: Int32, argument: Int32) throws {
        guard zeroPoint != 0 else { return }
        try check(dnnl_primitive_attr_set_zero_points(raw, argument, 1, 0, [zeroPoint]), "zero point")
    }

    /// The post-ops: an optional sum (dst = value + sumScale·(previous dst − sumZeroPoint)),
    /// then `activation` multiplied by `activationScale`.
    func setPostOps(residualSum: Bool, sumScale: Float = 1, sumZeroPoint: Int32 = 0,
                    activation: DNNLActivation?, activationScale: Float = 1) throws {
        var ops: dnnl_post_ops_t?
        try check(dnnl_post_ops_create(&ops), "post-op creation")
        defer { dnnl_post_ops_destroy(ops) }
        if residualSum {
            try check(dnnl_post_ops_append_sum_v3(ops, sumScale, sumZeroPoint, dnnl_data_type_undef), "sum post-op")
        }
        let steps = activation.map(Self.eltwiseSteps) ?? []
        for (index, step) in steps.enumerated() {
            let scale = index == steps.count - 1 ? activationScale : 1
            try check(dnnl_post_ops_append_eltwise(ops, scale, step.0, step.1, step.2), "eltwise post-op")
        }
        try check(dnnl_primitive_attr_set_post_ops(raw, ops), "post-ops")
    }

    /// oneDNN eltwise algorithms (with alpha, beta) that compute `activation`, applied in order.
    private static func eltwiseSteps(_ activation: DNNLActivation) -> [(dnnl_alg_kind_t, Float, Float)] {
        switch activation {
        case .relu: return [(dnnl_eltwise_relu, 0, 0)]
        case .leakyRelu(let alpha): return [(dnnl_eltwise_relu, alpha, 0)]
        case .clip(let lower, let upper): return [(dnnl_eltwise_clip, lower, upper)]
        case .sigmoid: return [(dnnl_eltwise_logistic, 0, 0)]
        case .tanh: return [(dnnl_eltwise_tanh, 0, 0)]
        case .gelu: return [(dnnl_eltwise_gelu_erf, 0, 0)]
        case .geluTanh: return [(dnnl_eltwise_gelu_tanh, 0, 0)]
        case .hardSwish: return [(dnnl_eltwise_hardswish, 0, 0)]
        case .hardSigmoid(let alpha, let beta): return [(dnnl_eltwise_linear, alpha, beta), (dnnl_eltwise_clip, 0, 1)]
        case .elu(let alpha): return [(dnnl_eltwise_elu, alpha, 0)]
        }
    }
}

/// A created primitive descriptor (owned) and the queries the kernels need.
final class PrimitiveDescriptor {
    let raw: dnnl_primitive_desc_t

    init(raw: dnnl_primitive_desc_t) { self.raw = raw }

    deinit { dnnl_primitive_desc_destroy(raw) }

    /// The descriptor of argument `query` (dnnl_query_weights_md, _scratchpad_md, ...).
    func memory(_ query: dnnl_query_t, index: Int32 = 0) throws -> dnnl_memory_desc_t {
        guard let desc = dnnl_primitive_desc_query_md(raw, query, index) else {
            throw EdgeflowError(.internalError, "oneDNN primitive descriptor has no memory for query \(query.rawValue)")
        }
        return desc.pointee
    }

    /// The implementation oneDNN picked, e.g. "brg:avx512_core_amx_int8".
    var implementation: String {
        var name: UnsafePointer<CChar>?
        guard dnnl_primitive_desc_query(raw, dnnl_query_impl_info_str, 0, &name) == dnnl_success, let name else {
            return "unknown"
        }
        return String(cString: name)
    }

    /// The geometry of a convolution or deconvolution (oneDNN conventions: dilation 0 = dense).
    struct Window {
        var strides: [Int], dilations: [Int], padBegin: [Int], padEnd: [Int]
    }

    /// A forward-inference convolution (or deconvolution when `transposed`).
    static func convolution(transposed: Bool, source: dnnl_memory_desc_t, weights: dnnl_memory_desc_t,
                            bias: dnnl_memory_desc_t?, destination: dnnl_memory_desc_t, window: Window,
                            attributes: PrimitiveAttributes, engine: DNNLEngine, what: String,
                            integer: IntegerProducts = .none) throws -> PrimitiveDescriptor {
        var src = source, wei = weights, dst = destination
        let args = [window.strides, window.dilations, window.padBegin, window.padEnd].map { $0.map(Int64.init) }
        return try withOptionalPointer(bias) { biasPointer in
            if transposed {
                var desc = dnnl_deconvolution_desc_t()
                try check(dnnl_dilated_deconvolution_forward_desc_init(
                    &desc, dnnl_forward_inference, dnnl_deconvolution_direct, &src, &wei, biasPointer, &dst,
                    args[0], args[1], args[2], args[3]), "deconvolution descriptor for \(what)")
                return try create(&desc, attributes, engine, what, integer: integer)
            }
            var desc = dnnl_convolution_desc_t()
            try check(dnnl_dilated_convolution_forward_desc_init(
                &desc, dnnl_forward_inference, dnnl_convolution_direct, &src, &wei, biasPointer, &dst,
                args[0], args[1], args[2], args[3]), "convolution descriptor for \(what)")
            return try create(&desc, attributes, engine, what, integer: integer)
        }
    }

    /// A matmul dst = src · weights (+ bias); all descriptors of equal rank.
    static func matMul(source: dnnl_memory_desc_t, weights: dnnl_memory_desc_t, bias: dnnl_memory_desc_t?,
                       destination: dnnl_memory_desc_t, attributes: PrimitiveAttributes, engine: DNNLEngine,
                       what: String, integer: IntegerProducts = .none) throws -> PrimitiveDescriptor {
        var src = source, wei = weights, dst = destination
        return try withOptionalPointer(bias) { biasPointer in
            var desc = dnnl_matmul_desc_t()
            try check(dnnl_matmul_desc_init(&desc, &src, &wei, biasPointer, &dst), "matmul descriptor for \(what)")
            return try create(&desc, attributes, engine, what, integer: integer)
        }
    }

    /// A reorder (layout and/or type conversion) from `source` to `destination`.
    static func reorder(from source: dnnl_memory_desc_t, to destination: dnnl_memory_desc_t,
                        engine: DNNLEngine) throws -> PrimitiveDescriptor {
        var src = source, dst = destination
        let attributes = try PrimitiveAttributes()
        var pd: dnnl_primitive_desc_t?
        try check(dnnl_reorder_primitive_desc_create(&pd, &src, engine.engine, &dst, engine.engine, attributes.raw), "reorder")
        guard let pd else { throw EdgeflowError(.internalError, "oneDNN returned no reorder descriptor") }
        return PrimitiveDescriptor(raw: pd)
    }

    /// The first implementation oneDNN offers, except for full-range int8 products on a CPU
    /// without VNNI: oneDNN's jit and GEMM int8 kernels there multiply with vpmaddubsw, whose
    /// int16 sums of two u8·s8 products saturate unless |weight| ≤ 64 (oneDNN expects 7-bit
    /// weights on such CPUs), so only the exact reference implementation is taken.
    private static func create<Desc>(_ desc: inout Desc, _ attributes: PrimitiveAttributes, _ engine: DNNLEngine,
                                     _ what: String, integer: IntegerProducts) throws -> PrimitiveDescriptor {
        var iterator: dnnl_primitive_desc_iterator_t?
        let status = withUnsafePointer(to: &desc) {
            dnnl_primitive_desc_iterator_create(&iterator, UnsafeRawPointer($0), attributes.raw, engine.engine, nil)
        }
        try check(status, "has no implementation for \(what)")
        defer { dnnl_primitive_desc_iterator_destroy(iterator) }
        repeat {
            guard let raw = dnnl_primitive_desc_iterator_fetch(iterator) else { break }
            let pd = PrimitiveDescriptor(raw: raw)
            if integer != .fullRange || DNNLEngine.hasExactInt8Kernels || pd.implementation.hasPrefix("ref") { return pd }
        } while dnnl_primitive_desc_iterator_next(iterator) == dnnl_success
        throw EdgeflowError(.unsupported, "oneDNN has no exact int8 implementation for \(what) on \(DNNLEngine.effectiveISA)",
                            hint: "run this op with the reference kernel")
    }
}

/// Calls `body` with a pointer to `value`, or nil without one.
private func withOptionalPointer<T, R>(_ value: T?, _ body: (UnsafePointer<T>?) throws -> R) rethrows -> R {
    guard var value else { return try body(nil) }
    return try withUnsafePointer(to: &value) { try body($0) }
}
