// Spotify's basic-pitch note transcription model, which its PyPI wheel ships as both .tflite and
// .onnx: one real model through both importers (Tests/Goldens/basic_pitch_*,
// tools/goldens/make_basic_pitch_goldens.py). Each case is imported, written and re-read as an
// .efa, run by the interpreter and as a compiled .efx (30 s each in a debug build: release only).
// The interpreter's plain float32 sums are 7.7e-5 from the golden (XNNPACK) where the constant-Q
// filters cancel, as LiteRT's own reference kernels are; the compiled .efx is within 1.4e-6.

import EFIR
import EFTestSupport
import XCTest

final class BasicPitchGoldenTests: XCTestCase {
    /// The TFLite file (SHAPE, EQUAL and SELECT_V2 in its normalization; MIRROR_PAD, STRIDED_SLICE,
    /// PACK and long convolutions in its constant-Q front end) against LiteRT's default kernels.
    func testTFLiteModelMatchesLiteRT() throws {
        let outcome = try GoldenRunner.checkModelSized("basic_pitch_tflite")
        XCTAssertEqual(outcome.graph.nodes.filter { $0.op == .conv }.count, 32)
    }

    /// The ONNX copy of the same model against onnxruntime, its dynamic batch fixed to 1.
    func testONNXModelMatchesOnnxruntime() throws {
        try GoldenRunner.checkModelSized("basic_pitch_onnx")
    }
}
