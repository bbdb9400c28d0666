// The TFLite importer on MediaPipe's real models (scripts/setup.sh fetches them): the graph
// keeps TFLite's NHWC inputs and outputs, custom and other unsupported operators are listed in
// one error with their operator indices, and damaged copies of a real file (truncated at many
// points, a vector longer than the file, an offset out of range) are refused as invalid
// models, never a crash.

import EFCore
import EFIR
import EFTFLite
import EFTestSupport
import XCTest

final class TFLiteImportTests: XCTestCase {
    private func model(_ name: String) throws -> [UInt8] {
        let url = TestData.fetched.appendingPathComponent("models/mediapipe/\(name).tflite")
        guard let data = FileManager.default.contents(atPath: url.path) else {
            XCTFail(".testdata/models/mediapipe/\(name).tflite is missing: run scripts/setup.sh")
            throw EdgeflowError(.io, "missing \(url.path)")
        }
        return Array(data)
    }

    private func u32(_ bytes: [UInt8], _ offset: Int) -> Int {
        (0..<4).reduce(0) { $0 | Int(bytes[offset + $1]) << (8 * $1) }
    }

    /// Where the root table's field `id` (an offset field) points.
    private func rootField(_ bytes: [UInt8], _ id: Int) -> (slot: Int, target: Int) {
        let root = u32(bytes, 0)
        let vtable = root - Int(Int32(truncatingIfNeeded: u32(bytes, root)))
        let slot = root + (Int(bytes[vtable + 4 + 2 * id]) | Int(bytes[vtable + 5 + 2 * id]) << 8)
        return (slot, slot + u32(bytes, slot))
    }

    private func assertInvalid(_ bytes: [UInt8], _ what: String,
                               file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertThrowsError(try TFLiteImporter.importModel(bytes: bytes), what, file: file, line: line) { error in
            XCTAssertEqual((error as? EdgeflowError)?.kind, .invalidModel, "\(what): \(error)", file: file, line: line)
        }
    }

    func testFaceDetectorKeepsItsNHWCInterface() throws {
        let graph = try TFLiteImporter.importModel(bytes: try model("face_detection_short_range"))
        XCTAssertEqual(graph.inputs.map { graph.types[$0]?.shape }, [[1, 128, 128, 3]])
        XCTAssertEqual(graph.outputs.map { graph.types[$0]?.shape }, [[1, 896, 16], [1, 896, 1]])
        XCTAssertEqual(FileKind.detect(Array(try model("face_detection_short_range").prefix(512))), .tflite)
    }

    /// MediaPipe's attention face mesh, with its three custom ops, keeps its NHWC input and seven outputs.
    func testAttentionFaceMeshImportsWithItsCustomOps() throws {
        let graph = try TFLiteImporter.importModel(bytes: try model("face_landmark_with_attention"))
        XCTAssertEqual(graph.inputs.map { graph.types[$0]?.shape }, [[1, 192, 192, 3]])
        XCTAssertEqual(graph.outputs.count, 7)
        XCTAssertEqual(graph.nodes.filter { $0.op == .gridSample }.count, 3, "one per TransformTensorBilinear")
    }

    /// Version 1 of MediaPipe's landmark ops computes otherwise (no half-pixel correction); a
    /// subset index past the landmarks, and pooling options shorter than TfLitePoolParams, are
    /// named with the operator (make_mediapipe_graph_goldens.py).
    func testMediaPipeOpsOfAnotherVersionOrWithBadIndicesAreRefused() throws {
        let folder = TestData.goldens.appendingPathComponent("tflite_ops")
        XCTAssertThrowsError(try TFLiteImporter.importModel(at: folder.appendingPathComponent(
            "mediapipe_version1.tflite"))) { error in
            XCTAssertEqual((error as? EdgeflowError)?.kind, .unsupported)
            XCTAssertTrue("\(error)".contains("operator 3 (Landmarks2TransformMatrix): version 1"), "\(error)")
        }
        XCTAssertThrowsError(try TFLiteImporter.importModel(at: folder.appendingPathComponent(
            "mediapipe_bad_index.tflite"))) { error in
            XCTAssertEqual((error as? EdgeflowError)?.kind, .invalidModel)
            XCTAssertTrue("\(error)".contains("landmarks [1, 576, 3]"), "\(error)")
        }
        XCTAssertThrowsError(try TFLiteImporter.importModel(at: folder.appendingPathComponent(
            "mediapipe_short_options.tflite"))) { error in
            XCTAssertEqual((error as? EdgeflowError)?.kind, .invalidModel)
            XCTAssertTrue("\(error)".contains("(MaxPoolingWithArgmax2D): its options hold 12 bytes"), "\(error)")
        }
    }

    /// openWakeWord's melspectrogram declares its input [1, 1] with a shape signature of −1s; left so,
    /// its first convolution does not fit, and the error says which input to give a size.
    func testPlaceholderInputsAreNamedWhenTheImportFails() throws {
        let url = TestData.fetched.appendingPathComponent("models/openwakeword/melspectrogram.tflite")
        XCTAssertThrowsError(try TFLiteImporter.importModel(at: url)) { error in
            let hint = (error as? EdgeflowError)?.hint ?? ""
            XCTAssertTrue(hint.contains("--input-shape serving_default_input:0=<n>,<n>"), "\(error)")
        }
        let graph = try TFLiteImporter.importModel(at: url, inputShapes: ["serving_default_input:0": [1, 1280]])
        XCTAssertEqual(graph.outputs.map { graph.types[$0]?.shape }, [[1, 1, 5, 32]])
    }

    func testGeneratedCustomOpIsListedWithTheOtherUnsupportedOperator() throws {
        let url = TestData.goldens.appendingPathComponent("tflite_ops/custom_op.tflite")
        XCTAssertThrowsError(try TFLiteImporter.importModel(at: url)) { error in
            let message = (error as? EdgeflowError)?.message ?? "\(error)"
            XCTAssertTrue(message.contains("2 operators"), message)
            XCTAssertTrue(message.contains("custom op 'MyCustomOp' (operator 0)"), message)
            XCTAssertTrue(message.contains("SEGMENT_SUM (operator 1)"), message)
        }
    }

    /// An int8 LOG_SOFTMAX (no integer translator) is named; the hybrid FULLY_CONNECTED beside it
    /// (float activations, int8 weights without DEQUANTIZE) is not: it runs as LiteRT's hybrid kernel.
    func testQuantizedOperatorsWithoutIntegerTranslationAreListed() throws {
        let url = TestData.goldens.appendingPathComponent("tflite_int8/refused.tflite")
        XCTAssertThrowsError(try TFLiteImporter.importModel(at: url)) { error in
            XCTAssertEqual((error as? EdgeflowError)?.kind, .unsupported)
            let message = (error as? EdgeflowError)?.message ?? "\(error)"
            XCTAssertTrue(message.contains("integers: LOG_SOFTMAX (operator 0)"), message)
            XCTAssertFalse(message.contains("FULLY_CONNECTED"), message)
        }
    }

    /// A uint8 RESIZE_BILINEAR whose output is quantized unlike its input is refused with the
    /// operator named and what is supported.
    func testUInt8BilinearResizeWithAnotherOutputQuantizationIsRefused() throws {
        let url = TestData.goldens.appendingPathComponent("tflite_uint8/refused_resize.tflite")
        XCTAssertThrowsError(try TFLiteImporter.importModel(at: url)) { error in
            XCTAssertEqual((error as? EdgeflowError)?.kind, .unsupported)
            let message = (error as? EdgeflowError)?.message ?? "\(error)"
            XCTAssertTrue(message.contains("operator 0 (RESIZE_BILINEAR)") && message.contains("one quantization"),
                          message)
        }
    }

    /// The int8 convolution that was refused before integer import now imports onto convInteger.
    func testInt8ConvolutionImportsOntoIntegerOps() throws {
        let url = TestData.goldens.appendingPathComponent("tflite_ops/quantized_conv.tflite")
        let ops = try TFLiteImporter.importModel(at: url).nodes.map(\.op)
        XCTAssertTrue(ops.contains(.convInteger) && ops.contains(.fixedPointRequantize), "\(ops)")
    }

    func testTruncatedFilesAreRefused() throws {
        let bytes = try model("face_detection_short_range")
        // (The last bytes may be alignment padding, which a reader need not miss.)
        for cut in [0, 4, 7, 8, 16, 64, 1000, bytes.count / 3, bytes.count / 2, bytes.count - 5000, bytes.count - 64] {
            XCTAssertThrowsError(try TFLiteImporter.importModel(bytes: Array(bytes.prefix(cut))), "cut at \(cut)") {
                XCTAssertEqual(($0 as? EdgeflowError)?.kind, .invalidModel, "cut at \(cut): \($0)")
            }
        }
    }

    func testAVectorLongerThanTheFileIsRefused() throws {
        var bytes = try model("face_detection_short_range")
        let codes = rootField(bytes, 1).target
        for index in 0..<4 { bytes[codes + index] = index == 3 ? 0x3F : 0xFF }
        assertInvalid(bytes, "operator_codes vector of 2^30 entries")
    }

    func testAnOffsetOutOfRangeIsRefused() throws {
        var bytes = try model("face_detection_short_range")
        let slot = rootField(bytes, 2).slot
        for index in 0..<4 { bytes[slot + index] = 0xF0 }
        assertInvalid(bytes, "subgraphs offset past the end")
    }

    func testAFileWithoutTheIdentifierIsRefused() throws {
        var bytes = try model("face_detection_short_range")
        bytes[4] = UInt8(ascii: "X")
        assertInvalid(bytes, "identifier XFL3")
    }
}
