// TFLite models in uint8 (TFLite's older asymmetric scheme, uint8 weights with zero points)
// against LiteRT's reference kernels, byte for byte: MediaPipe's face detector quantized to uint8
// and small generated models (Tests/Goldens/tflite_uint8_*, tools/goldens/make_tflite_uint8_goldens.py).
// Each is imported, written and re-read as an .efa, run by the interpreter and as a compiled .efx.

import EFIR
import EFTestSupport
import XCTest

final class TFLiteUInt8GoldenTests: XCTestCase {
    /// CONV_2D and DEPTHWISE_CONV_2D with uint8 filters and zero points, AVERAGE_POOL_2D, MEAN,
    /// FULLY_CONNECTED and SOFTMAX: a quantized MobileNet's tail.
    func testConvolutionsToSoftmax() throws { try GoldenRunner.check(GoldenCase.load("tflite_uint8_conv")) }

    /// 8,000 outputs: enough for a difference in the requantization's rounding to show.
    func testWideFullyConnected() throws {
        try GoldenRunner.check(GoldenCase.load("tflite_uint8_wide_fully_connected"))
    }

    /// ADD, SUB, MUL, the ReLUs, LOGISTIC, TANH, HARD_SWISH, LEAKY_RELU, PRELU, MAX_POOL_2D,
    /// CONCATENATION and QUANTIZE uint8 → int8 → uint8.
    func testElementwise() throws { try GoldenRunner.check(GoldenCase.load("tflite_uint8_elementwise")) }

    /// The uint8 face detector keeps its integer arithmetic: every convolution a convInteger.
    func testFaceDetectorOnPhoto() throws {
        let outcome = try GoldenRunner.check(GoldenCase.load("tflite_uint8_face_detection_photo"))
        let ops = outcome.graph.nodes.map(\.op)
        XCTAssertEqual(ops.filter { $0 == .convInteger }.count, 37, "21 convolutions + 16 depthwise")
        XCTAssertEqual(ops.filter { $0 == .conv }.count, 0)
    }

    func testFaceDetectorOnRandomInput() throws {
        try GoldenRunner.check(GoldenCase.load("tflite_uint8_face_detection_random"))
    }
}
