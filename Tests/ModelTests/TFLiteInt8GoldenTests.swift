// Quantized TFLite models that compute in int8, against LiteRT's reference kernels exactly
// (tolerance 0): small generated models, one per operator group, and MediaPipe's face detector,
// palm detector and hand landmark model quantized to full int8 (Tests/Goldens/tflite_int8_*,
// tools/goldens/make_tflite_int8_goldens.py).
// Each is imported, written and re-read as an .efa, run by the interpreter and as a compiled .efx.

import EFIR
import EFTestSupport
import XCTest

final class TFLiteInt8GoldenTests: XCTestCase {
    /// CONV_2D (per-channel, SAME, stride 2, RELU6) and DEPTHWISE_CONV_2D (multiplier 2, dilation 2, RELU).
    func testConvolutions() throws { try GoldenRunner.check(GoldenCase.load("tflite_int8_conv")) }
    /// FULLY_CONNECTED with bias on [2, 20] and without on a flattened 4-D input.
    func testFullyConnected() throws { try GoldenRunner.check(GoldenCase.load("tflite_int8_fully_connected")) }
    /// 8,000 outputs: LiteRT rounds FULLY_CONNECTED's requantization in double; Q31 double rounding
    /// would differ in 13 of them.
    /// LEAKY_RELU (a table) and PRELU with per-channel and per-row int8 slopes.
    func testRectifiers() throws { try GoldenRunner.check(GoldenCase.load("tflite_int8_rectifiers")) }
    /// TRANSPOSE_CONV: stride 2 SAME with bias, stride 1 cropped with RELU, and 96 input channels
    /// summed in groups (make_tflite_int8_extra_goldens.py); and uint8 with a filter zero point.
    func testTransposeConv() throws {
        let outcome = try GoldenRunner.check(GoldenCase.load("tflite_int8_transpose_conv"))
        XCTAssertGreaterThan(outcome.graph.nodes.filter { $0.op == .convTranspose }.count, 3,
                             "the 96-channel case is summed in more than one group")
    }
    func testUInt8TransposeConv() throws {
        try GoldenRunner.check(GoldenCase.load("tflite_int8_uint8_transpose_conv"))
    }
    /// HARD_SWISH with scales collapsed to ~7.9e-9 (gemmlowp's 16-bit rounding shift past 15 bits,
    /// as LiteRT computes it; found on a TF-converted MobileNetV3) and at ordinary scales.
    func testHardSwishAtCollapsedScales() throws {
        try GoldenRunner.check(GoldenCase.load("tflite_int8_hard_swish_collapsed"))
    }
    /// uint8 RESIZE_BILINEAR: LiteRT's reference float32 kernel (up, half-pixel, align_corners,
    /// down, a non-integer ratio), rounded half up as it rounds.
    func testUInt8ResizeBilinear() throws {
        try GoldenRunner.check(GoldenCase.load("tflite_int8_uint8_resize_bilinear"))
    }
    /// SPACE_TO_BATCH_ND (padded with the zero point), BATCH_TO_SPACE_ND, MIRROR_PAD, GATHER_ND,
    /// BROADCAST_TO, REVERSE_V2 and TOPK_V2 on int8 values.
    func testDilatedMovement() throws { try GoldenRunner.check(GoldenCase.load("tflite_int8_dilated_movement")) }
    /// EXP on int8 into two output quantizations (one saturating): LiteRT's 256-entry table.
    func testExp() throws { try GoldenRunner.check(GoldenCase.load("tflite_int8_exp")) }
    /// The six comparisons of int8 operands quantized differently (rescaled as LiteRT does, ties
    /// included), one broadcast; SELECT_V2 of int8 values; uint8 GREATER.
    func testComparisons() throws { try GoldenRunner.check(GoldenCase.load("tflite_int8_comparisons")) }
    /// SUM rescaled (LiteRT's float32 rescale, wrapping) with and without keep_dims, and under one
    /// quantization (stored values summed).
    func testSum() throws { try GoldenRunner.check(GoldenCase.load("tflite_int8_sum")) }
    /// ELU (LiteRT's 256-entry table of exp(x) − 1) and ABS, in the input's scale and rescaled.
    func testEluAndAbs() throws { try GoldenRunner.check(GoldenCase.load("tflite_int8_elu_abs")) }
    /// GELU on int8 (exact and tanh approximation) and uint8: LiteRT's 256-entry tables.
    func testGelu() throws { try GoldenRunner.check(GoldenCase.load("tflite_int8_gelu")) }
    /// BATCH_MATMUL of two run-time int8 operands, plain and with adj_y.
    func testBatchMatMul() throws { try GoldenRunner.check(GoldenCase.load("tflite_int8_batch_matmul")) }
    /// SQUARED_DIFFERENCE (broadcast) and RSQRT (LiteRT's fixed-point inverse square root): what TF
    /// makes of an int8 LayerNormalization.
    func testNormalizationOperators() throws {
        try GoldenRunner.check(GoldenCase.load("tflite_int8_normalization"))
    }
    /// REDUCE_MAX (keep_dims false) and REDUCE_MIN (keep_dims true) on int8 values.
    func testReduceExtremes() throws { try GoldenRunner.check(GoldenCase.load("tflite_int8_reduce_extremes")) }
    /// RESIZE_BILINEAR: up, up with half-pixel centers, align_corners, down with half-pixel centers.
    func testResizeBilinear() throws { try GoldenRunner.check(GoldenCase.load("tflite_int8_resize_bilinear")) }
    /// SLICE, SQUEEZE, EXPAND_DIMS, SPLIT, SPLIT_V, PACK, UNPACK, GATHER, TILE, PADV2, SPACE_TO_DEPTH,
    /// STRIDED_SLICE, MAXIMUM, MINIMUM and ARG_MAX on int8 values.
    func testMoreMovement() throws { try GoldenRunner.check(GoldenCase.load("tflite_int8_more_movement")) }
    func testWideFullyConnected() throws {
        try GoldenRunner.check(GoldenCase.load("tflite_int8_wide_fully_connected"))
    }
    /// ADD (broadcast, fused RELU), SUB, MUL and standalone RELU/RELU6 with their own output scales.
    func testElementwise() throws { try GoldenRunner.check(GoldenCase.load("tflite_int8_elementwise")) }
    /// MAX_POOL_2D, PAD (with the zero point), RESHAPE, CONCATENATION, TRANSPOSE.
    func testDataMovement() throws { try GoldenRunner.check(GoldenCase.load("tflite_int8_movement")) }
    /// AVERAGE_POOL_2D (SAME: windows cut by the border; VALID with RELU6) and
    /// RESIZE_NEAREST_NEIGHBOR (plain and half-pixel centers); MEAN over height and width (kept
    /// and dropped dimensions) and over channels.
    func testPoolingAndNearestResize() throws { try GoldenRunner.check(GoldenCase.load("tflite_int8_pooling")) }
    /// LOGISTIC and TANH through TFLite's float-made lookup tables, on 1,024 random int8 values;
    /// SOFTMAX (beta 1 and 0.37, rows of 32; a 4-D input over its channels); HARD_SWISH with its
    /// relu-ish rescale shifting left and right.
    func testLookupTableActivations() throws { try GoldenRunner.check(GoldenCase.load("tflite_int8_lookup")) }
    /// QUANTIZE int8 → int8 and int8 → uint8 with new parameters.
    func testRequantize() throws { try GoldenRunner.check(GoldenCase.load("tflite_int8_requantize")) }
    /// float → QUANTIZE → int8 conv → DEQUANTIZE → float.
    func testFloatBoundary() throws { try GoldenRunner.check(GoldenCase.load("tflite_int8_float_boundary")) }

    /// The integer model keeps the int8 arithmetic: convolutions as convInteger, each ending in
    /// fixedPointRequantize, no float conv.
    func testFaceDetectorOnPhoto() throws {
        let outcome = try GoldenRunner.check(GoldenCase.load("tflite_int8_face_detection_photo"))
        let ops = outcome.graph.nodes.map(\.op)
        XCTAssertEqual(ops.filter { $0 == .convInteger }.count, 37, "21 convolutions + 16 depthwise")
        XCTAssertEqual(ops.filter { $0 == .conv }.count, 0)
        XCTAssertGreaterThanOrEqual(ops.filter { $0 == .fixedPointRequantize }.count, 37 + 16 * 3 + 17)
    }

    func testFaceDetectorOnRandomInput() throws {
        try GoldenRunner.check(GoldenCase.load("tflite_int8_face_detection_random"))
    }

    /// MediaPipe's hand landmark model (lite) quantized to full int8: MEAN, FULLY_CONNECTED and
    /// LOGISTIC beside the convolutions, every output byte as LiteRT's.
    func testHandLandmarkOnPhoto() throws {
        let outcome = try GoldenRunner.checkModelSized("tflite_int8_hand_landmark_photo")
        XCTAssertEqual(outcome.graph.nodes.filter { $0.op == .conv || $0.op == .matMul }.count, 0)
    }

    /// MediaPipe's palm detector (lite) quantized to full int8: PRELU and RESIZE_BILINEAR in int8.
    func testPalmDetectorOnPhoto() throws {
        let outcome = try GoldenRunner.checkModelSized("tflite_int8_palm_detection_photo")
        XCTAssertEqual(outcome.graph.nodes.filter { $0.op == .conv }.count, 0)
    }

    func testPalmDetectorOnRandomInput() throws {
        try GoldenRunner.checkModelSized("tflite_int8_palm_detection_random")
    }

    func testHandLandmarkOnRandomInput() throws {
        try GoldenRunner.checkModelSized("tflite_int8_hand_landmark_random")
    }
}
