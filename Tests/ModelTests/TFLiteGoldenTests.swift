// TFLite models against LiteRT's outputs: MediaPipe's float models (Tests/Goldens/tflite_*,
// tools/goldens/make_tflite_goldens.py) and small generated models, one per operator form
// (Tests/Goldens/tflite_op_*, tools/goldens/make_tflite_op_goldens.py). Each is imported from
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
    func testResize() throws { try GoldenRunner.check(GoldenCase.load("tflite_op_resize")) }
    func testShapes() throws { try GoldenRunner.check(GoldenCase.load("tflite_op_shapes")) }
    func testFullyConnected() throws { try GoldenRunner.check(GoldenCase.load("tflite_op_fully_connected")) }
    func testElementwise() throws { try GoldenRunner.check(GoldenCase.load("tflite_op_elementwise")) }
    /// QUANTIZE to int8/uint8 (compared exactly: integers within 1e-4) and DEQUANTIZE of run-time
    /// values and of int8 weights.
    func testQuantizeBoundary() throws { try GoldenRunner.check(GoldenCase.load("tflite_op_quantize_boundary")) }
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
        try XCTSkipUnless(TestData.isOptimizedBuild, "model-sized test: runs in the optimized build")
        try GoldenRunner.check(GoldenCase.load("tflite_iris_landmark"))
    }

    func testFaceLandmark() throws {
        try XCTSkipUnless(TestData.isOptimizedBuild, "model-sized test: runs in the optimized build")
        try GoldenRunner.check(GoldenCase.load("tflite_face_landmark"))
    }

    func testPalmDetectionLite() throws {
        try XCTSkipUnless(TestData.isOptimizedBuild, "model-sized test: runs in the optimized build")
        try GoldenRunner.check(GoldenCase.load("tflite_palm_detection_lite"))
    }

    func testHandLandmarkLite() throws {
        try XCTSkipUnless(TestData.isOptimizedBuild, "model-sized test: runs in the optimized build")
        try GoldenRunner.check(GoldenCase.load("tflite_hand_landmark_lite"))
    }
}
