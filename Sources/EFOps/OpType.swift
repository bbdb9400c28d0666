// The core op set: every imported model is lowered onto these ops. Each case documents its
// inputs (by position; "" marks an absent optional input), parameters and outputs. Shapes are
// always static: anything that decides a shape (Reshape's target, Slice's bounds, Resize's
// sizes...) has been resolved into a parameter by the importer.

/// A core operation.
public enum OpType: String, Codable, CaseIterable, Sendable {
    // MARK: Elementwise

    /// `fn(x)` elementwise. Params: `fn` (string), optional `alpha`, `beta`, `gamma` (float).
    /// `fn` is one of: identity, relu, sigmoid, tanh, exp, log, sqrt, neg, abs, erf, floor, ceil,
    /// round (half to even), reciprocal, sign, sin, cos, tan, asin, acos, atan, sinh, cosh, asinh,
    /// acosh, atanh, softplus, softsign, mish, gelu (erf form), geluTanh, hardSwish,
    /// hardSigmoid (alpha, beta), leakyRelu (alpha), elu (alpha), selu (alpha, gamma),
    /// celu (alpha), thresholdedRelu (alpha), clip (alpha = lower bound, beta = upper bound),
    /// not (bool), isNaN, isInf (alpha: 1 = detect +inf,
    /// beta: 1 = detect -inf), bitwiseNot. Output dtype = input dtype, except isNaN/isInf → bool.
    case unary
    /// `fn(a, b)` with numpy broadcasting. Params: `fn` (string) one of: add, sub, mul, div
    /// (integer division truncates toward zero; integer x / 0 and x mod 0 give 0), pow, max,
    /// min, mod (sign of divisor, as Python), fmod (sign of dividend, C fmod), and, or, xor,
    /// equal, less, lessOrEqual, greater, greaterOrEqual, bitShiftLeft, bitShiftRight,
    /// bitwiseAnd, bitwiseOr, bitwiseXor, prelu (a = x, b = slope). Comparisons output bool;
    /// others the dtype of `a` (pow: dtype of a even if b differs).
    case binary
    /// `where(cond, x, y)` with broadcasting; cond is bool.
    case `where`
    /// Converts dtype. Params: `to` (dtype name). Float→int truncates toward zero; float→bool is
    /// `x != 0`; NaN and out-of-range float→int give what onnxruntime gives on x86-64 (the
    /// type's minimum for int32/int64, narrower types wrap the int32 value; rules in Cast.swift).
    /// Optional `saturate` (int, default 1: float8 overflow gives the largest finite value) and
    /// `roundMode` (`up`, `down`, `nearest`; default `up`) for float8e8m0 targets (CastSmallTypes.swift).
    case cast
    /// The same bits read as another dtype of equal width (ONNX BitCast). Params: `to` (dtype
    /// name). Sub-byte types are masked to their width (int4/int2 sign-extended); a nonzero
    /// byte read as bool is true (Kernels.bitCast).
    case bitCast

    // MARK: Linear algebra and convolution

    /// Numpy matmul of `a` [..., M, K] and `b` [..., K, N] with broadcast batch dims; rank-1
    /// operands are promoted as numpy does. float32 or float64. Fused form (made by the fp
    /// optimization passes): optional input 2 `bias` [N] added along the last dim, and the
    /// activation params below.
    case matMul
    /// N-d convolution (1–3 spatial dims), NCHW. Inputs: x [N, C, spatial...],
    /// w [M, C/group, kernel...], optional bias [M]. Params: `strides`, `dilations` (per spatial
    /// dim), `pads` ([begin..., end...], explicit: the importer resolves auto_pad), `group`.
    /// Fused form (made by the fp optimization passes): optional input 3 `residual` shaped like
    /// the output, added after the bias; then the activation params below.
    ///
    /// Fused activation params (conv and matMul): `activation` (a `unary` fn name; absent =
    /// none), `activationAlpha`, `activationBeta` (as the unary op's alpha and beta).
    /// y = activation(conv(x, w) + bias + residual).
    ///
    /// Layout param (conv, convTranspose, pool; set by the compiler's layout choice):
    /// `channelsLast` = 1 makes x, y and the residual [N, spatial..., C]; weights keep their layout.
    case conv
    /// N-d transposed convolution, NCHW. Inputs: x, w [C, M/group, kernel...], optional bias.
    /// Params: `strides`, `dilations`, `pads` (begin..., end...), `outputPadding`, `group`.
    /// The importer resolves output_shape/auto_pad into explicit pads and outputPadding.
    case convTranspose
    /// Pooling over spatial dims, NCHW. Params: `kind` ("max", "avg", "lp"), `kernel`, `strides`,
    /// `pads` (begin..., end...), `dilations`, `ceilMode` (0/1), `countIncludePad` (0/1, avg),
    /// `p` (lp), `storageOrder` (0/1, max with indices). Outputs: y; for kind max the node may
    /// name a second output, int64 indices shaped like y: the flat index of each maximum into
    /// x (ONNX MaxPool Indices; spatial offset row-major, column-major when `storageOrder` = 1).
    case pool

    // MARK: Reductions and normalization

    /// Reduction. Params: `fn` one of sum, mean, max, min, prod, l1, l2, logSum, logSumExp,
    /// sumSquare; `axes` (normalized, sorted; empty means all axes); `keepDims` (0/1).
    case reduce
    /// Index of max/min along one axis, int64 output. Params: `fn` ("max"/"min"), `axis`,
    /// `keepDims`, `selectLastIndex`.
    case argReduce
    /// Softmax along `axis` (one axis, opset-13 semantics; the importer reshapes for older ones).
    case softmax
    /// Log-softmax along `axis`.
    case logSoftmax
    /// Layer normalization over axes `axis..<rank`. Inputs: x, scale, optional bias (broadcast
    /// onto the normalized dims). Params: `axis`, `epsilon`, `statsDType` (float dtype name,
    /// default float32). Outputs: y, or y, mean, invStdDev (1 / sqrt(var + epsilon)) when the
    /// node names three; the statistics have x's shape with the normalized dims set to 1 and
    /// dtype `statsDType`.
    case layerNorm
    /// Local response normalization across channels (NCHW). Params: `size`, `alpha`, `beta`, `bias`.
    case lrn
    /// Per-instance normalization over spatial dims. Inputs: x, scale [C], bias [C].
    /// Params: `epsilon`.
    case instanceNorm
    /// Cumulative sum along `axis`. Params: `axis`, `exclusive`, `reverse`.
    case cumSum
    /// Cumulative product along `axis`. Params: `axis`, `exclusive` (first output 1), `reverse`.
    case cumProd
    /// Top-k along `axis`. Params: `k`, `axis`, `largest`, `sorted`. Outputs: values, int64 indices.
    case topK
    /// The determinant of each matrix of x [..., M, M] (float), by LU with partial pivoting.
    /// Output [...] of x's dtype.
    case det

    // MARK: Data movement (shapes fully static)

    /// Reinterprets the shape. Params: `shape` (the complete output shape, no -1 or 0).
    case reshape
    /// Permutes axes. Params: `perm`.
    case transpose
    /// Broadcasts to `shape` (the complete output shape).
    case expand
    /// Concatenates along `axis`.
    case concat
    /// Strided slice. Params: `starts`, `ends`, `steps` — one entry per axis of the input,
    /// already clamped; `ends` may be -1 for a negative step that runs to the beginning.
    case slice
    /// Padding. Params: `pads` ([begin per axis..., end per axis...], may be negative = crop),
    /// `mode` ("constant", "reflect", "edge", "wrap"), `value` (float constant value).
    case pad
    /// Gathers along `axis` with integer indices (negative indices count from the end).
    /// Inputs: data, indices.
    case gather
    /// ONNX GatherElements along `axis`. Inputs: data, indices.
    case gatherElements
    /// ONNX GatherND. Params: `batchDims`. Inputs: data, indices.
    case gatherND
    /// ONNX ScatterElements. Params: `axis`, `reduction` ("none", "add", "mul", "max", "min").
    /// Inputs: data, indices, updates.
    case scatterElements
    /// ONNX ScatterND. Params: `reduction`. Inputs: data, indices, updates.
    case scatterND
    /// Repeats along each axis. Params: `repeats` (one per axis).
    case tile
    /// DepthToSpace, NCHW. Params: `blockSize`, `mode` ("DCR" or "CRD").
    case depthToSpace
    /// SpaceToDepth, NCHW. Params: `blockSize`.
    case spaceToDepth
    /// Upper/lower triangle of the last two dims. Params: `upper` (0/1), `k`.
    case trilu
    /// ONNX OneHot. Inputs: indices, values [off, on]. Params: `depth`, `axis`.
    case oneHot
    /// Resize (ONNX semantics). Params: `mode` ("nearest", "linear", "cubic"),
    /// `coordinateTransformationMode`, `nearestMode`, `cubicCoeffA`, `excludeOutside`,
    /// `extrapolationValue`, `antialias`, `scales` (float per axis, used by the coordinate
    /// transform; absent means sizes / input shape), `sizes` (the complete output shape), `roi`
    /// (floats [start per axis..., end per axis...], tf_crop_and_resize only).
    case resize
    /// ONNX GridSample. Inputs: x [N, C, D1...Dr], grid [N, O1...Or, r] (float; normalized
    /// positions, innermost axis first). Params: `mode` ("linear", "nearest", "cubic"),
    /// `paddingMode` ("zeros", "border", "reflection"), `alignCorners` (0/1). Output
    /// [N, C, O1...Or] of x's dtype.
    case gridSample
    /// ONNX RoiAlign. Inputs: x [N, C, H, W] (float), rois [R, 4] (x1, y1, x2, y2, float),
    /// batchIndices [R] (integer). Params: `mode` ("avg", "max"), `outputHeight`, `outputWidth`,
    /// `samplingRatio` (0 = adaptive), `spatialScale` (float), `halfPixel` (0/1: opset 16's
    /// half_pixel, else output_half_pixel). Output [R, C, outputHeight, outputWidth] of x's dtype.
    case roiAlign
    /// ONNX DeformConv (2-D). Inputs: x [N, C, H, W], w [M, C/group, kH, kW], offset
    /// [N, offsetGroup·kH·kW·2, oH, oW] (Δy, Δx per tap), optional bias [M], optional mask
    /// [N, offsetGroup·kH·kW, oH, oW]; all float. Params: `strides`, `dilations`, `pads` (as
    /// conv), `group`, `offsetGroup`. Output [N, M, oH, oW] of x's dtype.
    case deformConv

    // MARK: Control flow

    /// A loop run at run time (ONNX Loop and Scan too long to unroll; docs/control-flow.md).
    /// Inputs: the carried values' initial values, the scanned inputs, the invariants the body reads.
    /// Outputs: the carried values' final values, then the stacked outputs. Params: `tripCount`,
    /// `carried` (how many carried values), `scanInputAxes`/`scanInputsReversed` (0/1 each),
    /// `scanOutputAxes`/`scanOutputsReversed`, `countsIterations` (0/1: body input 0 is the int64
    /// iteration number), `checksCondition` (0/1: body output 0 is a bool that stops the loop when
    /// false), `body` (JSON: `LoopCoding.swift`). The body runs with the reference kernels.
    case loop

    // MARK: Quantized (exact integer arithmetic)

    /// y = saturate(round_half_even(x / scale) + zeroPoint). Inputs: x (float), scale,
    /// zero point (its dtype = output dtype, int8 or uint8). Params: `axis` (per-axis when scale
    /// is 1-D), `outputDType`, `blockSize` (blocked quantization along `axis`; 0 = none), optional
    /// `saturate` (default 1; float8 outputs). Also to int4/uint4/int2/uint2, float8, float4e2m1
    /// (`Kernels.quantizedDTypes`; QuantSmallTypes.swift).
    case quantizeLinear
    /// y = (x - zeroPoint) * scale. Inputs: x (integer, float8 or float4e2m1; the zero point is
    /// ignored for the float types), scale, optional zero point.
    /// Params: `axis`, `blockSize` (as quantizeLinear), optional `outputDType` (default: scale's).
    case dequantizeLinear
    /// ONNX DynamicQuantizeLinear: outputs y (uint8), scale (float scalar), zero point (uint8 scalar).
    case dynamicQuantizeLinear
    /// ONNX QLinearConv. Inputs: x, x_scale, x_zp, w, w_scale, w_zp, y_scale, y_zp, optional
    /// bias (int32). Params as `conv`.
    case qlinearConv
    /// ONNX QLinearMatMul. Inputs: a, a_scale, a_zp, b, b_scale, b_zp, y_scale, y_zp.
    case qlinearMatMul
    /// ONNX MatMulInteger: int32 result of (a - a_zp) · (b - b_zp). Inputs: a, b, optional
    /// a_zp, optional b_zp.
    case matMulInteger
    /// ONNX ConvInteger: int32 result. Inputs: x, w, optional x_zp, optional w_zp. Params as `conv`.
    case convInteger

    // MARK: Edgeflow int8 (the contract in docs/numerics.md)

    /// Inputs: x uint8 [N, C, spatial...] (channels-last: [N, spatial..., C]), w int8 [M, C/group,
    /// kernel...], optional bias int32 [M], multipliers float32 [M] (u8 output: s_x·s_w/s_y;
    /// float output: s_x·s_w). Params: window as `conv`, `channelsLast`, `inputZeroPoint`,
    /// `output` (uint8 with `outputZeroPoint`, `outputLower`, `outputUpper`; or float32 with an
    /// optional fused `activation`).
    case quantizedConv
    /// Inputs: a uint8 [..., M, K], b int8 [K, N], optional bias int32 [N], multipliers float32
    /// [N]. Params: `inputZeroPoint`, `output` as quantizedConv.
    case quantizedMatMul

    // MARK: TFLite's integer arithmetic (imported quantized TFLite models)

    /// y = clamp(x · multiplier[c] · 2^(shift[c] − 31) + `zeroPoint`, `lower`, `upper`) in TFLite's
    /// fixed-point rounding (`Kernels.multiplyByQuantizedMultiplier`). Inputs: x int32, multipliers
    /// int32 [C] (Q31), shifts int32 [C]. Params: `axis` (channel axis when C > 1), `zeroPoint`,
    /// `lower`, `upper`, `outputDType` (int8, uint8, int16 or int32). Output: x's shape.
    case fixedPointRequantize
    /// TFLite's int8 softmax (`Kernels.lookupSoftmax`). Inputs: x int8, table float32 [256].
    /// Params: `axis`, `scale` and `zeroPoint` of the int8 output.
    case lookupSoftmax
}
