// TFLite models against LiteRT's outputs: MediaPipe's float models (Tests/Goldens/tflite_*,
// tools/goldens/make_tflite_goldens.py) and small generated models, one per operator form
// (Tests/Goldens/tflite_op_*, tools/goldens/make_tflite_*_goldens.py). Each is imported from
// the .tflite file, written and re-read as an .efa, run by the interpreter and as a compiled
// .efx, every output within 1e-4.

import EFIR
import EFTestSupport
import EFTransforms
import XCTest

final class TFLiteOperatorGoldenTests: XCTestCase {
    func testConvAndDepthwise() throws { try GoldenRunner.check(GoldenCase.load("tflite_op_conv_depthwise")) }
    func testPools() throws { try GoldenRunner.check(GoldenCase.load("tflite_op_pools")) }
    func testTransposeConv() throws { try GoldenRunner.check(GoldenCase.load("tflite_op_transpose_conv")) }
    /// MediaPipe's custom Convolution2DTransposeBias, SAME (cropped) and VALID.
    func testTransposeConvBias() throws { try GoldenRunner.check(GoldenCase.load("tflite_op_transpose_conv_bias")) }
    /// EXP, LOG, SQRT, RSQRT, ABS, NEG, FLOOR, CEIL, ROUND, SIN, COS, ELU, SQUARE, LEAKY_RELU, GELU (both
    /// forms), LOG_SOFTMAX, MAXIMUM, MINIMUM, POW, SQUARED_DIFFERENCE, FLOOR_DIV.
    func testMath() throws { try GoldenRunner.check(GoldenCase.load("tflite_op_math")) }
    /// SQUEEZE, EXPAND_DIMS, SLICE, SPLIT, SPLIT_V, PACK, UNPACK, GATHER, TILE, PADV2, MIRROR_PAD (reflect),
    /// SPACE_TO_DEPTH, BATCH_MATMUL (adj_y), CAST.
    func testReshaping() throws { try GoldenRunner.check(GoldenCase.load("tflite_op_reshaping")) }
    /// SUM, REDUCE_MAX, REDUCE_MIN, REDUCE_PROD with and without keep_dims; ARG_MAX (int64), ARG_MIN (int32).
    func testReductions() throws { try GoldenRunner.check(GoldenCase.load("tflite_op_reductions")) }
    /// EQUAL … GREATER_EQUAL, NOT_EQUAL, LOGICAL_AND/OR/NOT, SELECT_V2 (broadcast), SELECT (rows),
    /// SHAPE into RESHAPE and CAST (make_tflite_logic_goldens.py).
    func testLogic() throws { try GoldenRunner.check(GoldenCase.load("tflite_op_logic")) }
    /// SPACE_TO_BATCH_ND → CONV_2D → BATCH_TO_SPACE_ND (a converted dilated conv), with pads and crops.
    func testAtrous() throws { try GoldenRunner.check(GoldenCase.load("tflite_op_atrous")) }
    /// L2_POOL_2D, LOCAL_RESPONSE_NORMALIZATION, L2_NORMALIZATION (4-D and 2-D).
    func testNormalization() throws { try GoldenRunner.check(GoldenCase.load("tflite_op_normalization")) }
    /// ZEROS_LIKE, FILL, RANGE (folded), BROADCAST_TO, REVERSE_V2, CUMSUM, ADD_N, SIGN, RELU_0_TO_1.
    func testFills() throws { try GoldenRunner.check(GoldenCase.load("tflite_op_fills")) }
    /// DENSIFY of float32 compressed rows (uint8 indices) and float16 1×4 blocks (uint16 vectors).
    func testDensify() throws { try GoldenRunner.check(GoldenCase.load("tflite_op_densify")) }
    /// STRIDED_SLICE: begin/end masks, negative and out-of-range bounds, shrink axes, offset.
    func testStridedSlice() throws { try GoldenRunner.check(GoldenCase.load("tflite_op_strided_slice")) }
    func testResize() throws { try GoldenRunner.check(GoldenCase.load("tflite_op_resize")) }
    func testShapes() throws { try GoldenRunner.check(GoldenCase.load("tflite_op_shapes")) }
    func testFullyConnected() throws { try GoldenRunner.check(GoldenCase.load("tflite_op_fully_connected")) }
    func testElementwise() throws { try GoldenRunner.check(GoldenCase.load("tflite_op_elementwise")) }
    /// QUANTIZE to int8/uint8 (compared exactly: integers within 1e-4) and DEQUANTIZE of run-time
    /// values and of int8 weights.
    func testQuantizeBoundary() throws { try GoldenRunner.check(GoldenCase.load("tflite_op_quantize_boundary")) }
    /// RFFT2D over two axes and over one (rows cropped, columns zero-padded), COMPLEX_ABS, REAL,
    /// IMAG, CAST and RESHAPE of complex64 values (make_tflite_complex_goldens.py).
    func testSpectra() throws { try GoldenRunner.check(GoldenCase.load("tflite_op_spectra")) }
    /// A frame count computed in the graph and declared as placeholder 1s (shape signature −1):
    /// the outputs have LiteRT's inferred shapes ([5, 3], not the declared [1, 3]).
    /// UNIDIRECTIONAL_SEQUENCE_LSTM (batch- and time-major) and UNIDIRECTIONAL_SEQUENCE_RNN (TANH,
    /// RELU), as ONNX LSTM and RNN unrolled (make_tflite_recurrent_goldens.py).
    func testRecurrentLayers() throws { try GoldenRunner.check(GoldenCase.load("tflite_op_recurrent")) }
    /// WHILE unrolled (three iterations of a body with CONV_2D on an NHWC map, FULLY_CONNECTED and
    /// a counter), and IF on a run-time flag for both of its values, only the branch taken running
    /// (make_tflite_control_flow_goldens.py).
    func testWhileLoop() throws { try GoldenRunner.check(GoldenCase.load("tflite_op_while_loop")) }
    /// 5,000 iterations: the first ones unrolled, the rest one runtime loop carrying the counter and v
    /// (the scale, unchanged, stays bound to the input).
    /// A condition computed from the data: a runtime loop checks it before every iteration (4 run for
    /// one case's inputs, none for the other's).
    func testDataDependentWhileRunsAsARuntimeLoop() throws {
        for name in ["tflite_op_while_data_dependent", "tflite_op_while_data_dependent_zero"] {
            let nodes = try GoldenRunner.check(GoldenCase.load(name)).graph.nodes
            let loops = nodes.compactMap { node -> LoopParameters? in
                if case .loop(let loop) = node.params { return loop }
                return nil
            }
            XCTAssertEqual(loops.map(\.checksInitialCondition), [true], name)
        }
    }

    func testLongWhileRunsTheRestAsARuntimeLoop() throws {
        let outcome = try GoldenRunner.check(GoldenCase.load("tflite_op_while_long"))
        let loops = outcome.graph.nodes.filter { $0.op == .loop }
        XCTAssertEqual(loops.count, 1, "one runtime loop")
        guard case .loop(let loop)? = loops.first?.params else { return }
        XCTAssertTrue(loop.checksCondition)
        XCTAssertEqual(loop.carriedCount, 2, "counter and v carried, scale an invariant")
    }
    func testIfThen() throws { try assertGuarded(GoldenRunner.check(GoldenCase.load("tflite_op_if_then"))) }
    func testIfElse() throws { try assertGuarded(GoldenRunner.check(GoldenCase.load("tflite_op_if_else"))) }

    private func assertGuarded(_ outcome: GoldenRunner.Outcome) {
        XCTAssert(outcome.graph.inputs.contains("flag"), "the flag stays an input: \(outcome.graph.inputs)")
        let conditions = Set(outcome.graph.nodes.flatMap(\.runsWhen).map(\.whenTrue))
        XCTAssertEqual(conditions, [true, false], "both branches run only when taken")
    }

    /// Hybrid FULLY_CONNECTED (asymmetric and symmetric run-time input quantization, a row of
    /// zeros, keep_num_dims), CONV_2D (a batch of two images, taps outside the image) and
    /// DEPTHWISE_CONV_2D (multiplier 2): TF's
    /// dynamic-range quantization, as LiteRT's hybrid kernels compute it (make_tflite_hybrid_goldens.py).
    func testHybridOperators() throws { try GoldenRunner.check(GoldenCase.load("tflite_op_hybrid")) }

    /// BIDIRECTIONAL_SEQUENCE_LSTM, merged (batch-major) and split (time-major).
    func testBidirectionalLSTM() throws { try GoldenRunner.check(GoldenCase.load("tflite_op_bidirectional")) }
    /// GATHER_ND, SCATTER_ND, TOPK_V2, ONE_HOT, EMBEDDING_LOOKUP, DYNAMIC_UPDATE_SLICE, FLOOR_MOD and
    /// CONV_3D (make_tflite_indexing_goldens.py).
    func testIndexing() throws { try GoldenRunner.check(GoldenCase.load("tflite_op_indexing")) }
    func testConv3D() throws { try GoldenRunner.check(GoldenCase.load("tflite_op_conv3d")) }
    /// TFLite_Detection_PostProcess (fast NMS, two option sets read from FlexBuffers), against
    /// LiteRT's kernel (make_tflite_detection_goldens.py).
    func testDetectionPostProcess() throws { try GoldenRunner.check(GoldenCase.load("tflite_op_detection")) }
    /// The same on uint8 box encodings, class predictions and anchors (TF's quantized SSD MobileNets).
    func testDetectionPostProcessOnUInt8() throws {
        try GoldenRunner.check(GoldenCase.load("tflite_op_detection_uint8"))
    }
    /// MediaPipe's Landmarks2TransformMatrix, TransformTensorBilinear (a crop reaching outside the
    /// image) and TransformLandmarks (two and three coordinates), against MediaPipe's own kernels
    /// (make_mediapipe_graph_goldens.py).
    func testMediaPipeTransforms() throws {
        try GoldenRunner.check(GoldenCase.load("tflite_op_mediapipe_transforms"))
    }
    /// MediaPipe's MaxPoolingWithArgmax2D (2 × 2 SAME, 3 × 3 SAME with RELU on tied windows, 3 × 3
    /// VALID) and MaxUnpooling2D, against MediaPipe's own kernels: every value and index exact.
    func testMediaPipeUnpooling() throws {
        try GoldenRunner.check(GoldenCase.load("tflite_op_mediapipe_unpooling"))
    }
    func testPlaceholderShapes() throws {
        let outcome = try GoldenRunner.check(GoldenCase.load("tflite_op_placeholders"))
        XCTAssertEqual(try outcome.graph.type(of: "dense").shape, [5, 3])
    }
}

final class TFLiteGoldenTests: XCTestCase {
    /// Also: the layout pass leaves no transpose in the optimized detector (the NHWC input and
    /// the reshapes in TFLite's memory order read the channels-last conv region as it is).
    func testFaceDetectionShortRange() throws {
        let outcome = try GoldenRunner.check(GoldenCase.load("tflite_face_detection_short_range"))
        XCTAssertEqual(outcome.graph.nodes.filter { $0.op == .transpose }.count, 5, "native: input + 4 reshapes")
        let optimized = try FloatOptimizer.optimize(outcome.graph).graph
        XCTAssertEqual(optimized.nodes.filter { $0.op == .transpose }.map(\.name), [])
    }

    func testIrisLandmark() throws {
        try GoldenRunner.checkModelSized("tflite_iris_landmark")
    }

    func testFaceLandmark() throws {
        try GoldenRunner.checkModelSized("tflite_face_landmark")
    }

    func testPalmDetectionLite() throws {
        try GoldenRunner.checkModelSized("tflite_palm_detection_lite")
    }

    func testHandLandmarkLite() throws {
        try GoldenRunner.checkModelSized("tflite_hand_landmark_lite")
    }

    func testPalmDetectionFull() throws {
        try GoldenRunner.checkModelSized("tflite_palm_detection_full")
    }

    func testHandLandmarkFull() throws {
        try GoldenRunner.checkModelSized("tflite_hand_landmark_full")
    }

    /// Five outputs, one of them a 64×64×39 heatmap.
    func testPoseLandmarkFull() throws {
        try GoldenRunner.checkModelSized("tflite_pose_landmark_full")
    }

    /// Sparse float16 weights: 38 DENSIFY operators folded at import.
    func testPoseDetectionWithSparseWeights() throws {
        let outcome = try GoldenRunner.checkModelSized("tflite_pose_detection")
        XCTAssertEqual(outcome.graph.nodes.filter { $0.op == .conv }.count, 73)
    }

    /// STRIDED_SLICE on 4-D values (residual blocks' channel padding sliced back).
    func testHandRecrop() throws {
        try GoldenRunner.checkModelSized("tflite_hand_recrop")
    }

    /// MediaPipe's custom Convolution2DTransposeBias as the last layer.
    func testSelfieSegmentation() throws {
        try GoldenRunner.checkModelSized("tflite_selfie_segmentation")
    }

    func testSelfieSegmentationLandscape() throws {
        try GoldenRunner.checkModelSized("tflite_selfie_segmentation_landscape")
    }

    /// The attention face mesh: MediaPipe's three landmark custom ops, against MediaPipe's own
    /// InferenceCalculator (make_mediapipe_graph_goldens.py), on the photo and on random pixels.
    func testFaceLandmarkWithAttention() throws {
        try GoldenRunner.checkModelSized("tflite_face_landmark_with_attention")
        try GoldenRunner.checkModelSized("tflite_face_landmark_with_attention_random")
    }

    func testFaceDetectionFullRangeWithSparseWeights() throws {
        try GoldenRunner.checkModelSized("tflite_face_detection_full_range_sparse")
    }
}
