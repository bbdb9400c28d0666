// The FlexBuffers map reader (TFLite custom ops' options) on maps written by the flatbuffers
// Python package (Fuzz/seeds/flexbuffers, made from the dictionaries named below), and on damaged
// buffers: every truncation, a root that is not a map, offsets pointing outside the bytes.

import EFCore
import EFTestSupport
import EFTFLite
import XCTest

final class FlexBufferMapTests: XCTestCase {
    private func seed(_ name: String) throws -> [UInt8] {
        let url = TestData.repoRoot.appendingPathComponent("Fuzz/seeds/flexbuffers/\(name).bin")
        return Array(try Data(contentsOf: url))
    }

    /// flexbuffers.Dumps({"big": 1 << 40, "negative": -3, "name": "text", "list": [1, 2, 3],
    /// "nested": {"a": 1.5}, "flag": True}): the scalars read, the rest skipped.
    func testScalarsAreReadAndOtherValuesSkipped() throws {
        let map = try FlexBufferMap(bytes: try seed("mixed"), what: "test")
        XCTAssertEqual(map.values, ["big": Double(1 << 40), "negative": -3, "flag": 1])
        XCTAssertEqual(map.intVectors, ["list": [1, 2, 3]], "an untyped vector of ints")
        XCTAssertEqual(try map.int("negative", 0), -3)
        XCTAssertTrue(map.bool("flag", false))
        XCTAssertEqual(try map.int("absent", 7), 7)
    }

    /// The options TF's converter writes for TFLite_Detection_PostProcess.
    func testDetectionOptions() throws {
        let map = try FlexBufferMap(bytes: try seed("detection_ssd"), what: "test")
        XCTAssertEqual(try map.int("max_detections", 0), 10)
        XCTAssertEqual(try map.int("num_classes", 0), 3)
        XCTAssertFalse(map.bool("use_regular_nms", true))
        XCTAssertEqual(map.float("nms_iou_threshold", 0), 0.5)
        XCTAssertEqual(map.float("nms_score_threshold", 0), 0.3)
        XCTAssertEqual(map.float("h_scale", 0), 5)
    }

    /// The Landmarks2TransformMatrix options of make_mediapipe_graph_goldens.py: subset_idxs a
    /// typed int vector (as MediaPipe's kernels read it), the scales float32.
    func testTypedIntegerVector() throws {
        let map = try FlexBufferMap(bytes: try seed("landmarks_matrix"), what: "test")
        XCTAssertEqual(map.intVectors["subset_idxs"], [3, 40, 77, 101, 150, 12, 188])
        XCTAssertEqual(map.float("scale_y", 0), 1.25)
        XCTAssertEqual(try map.int("right_rotation_idx", 0), 90)
    }

    /// A vector whose length field claims more elements than the bytes hold.
    func testVectorLongerThanTheBufferIsRefused() throws {
        var bytes = try seed("landmarks_matrix")
        // 188 needs two bytes as a signed integer: the elements are 16-bit, their count before them.
        let elements = [3, 40, 77, 101, 150, 12, 188].flatMap { [UInt8($0), 0] as [UInt8] }
        let start = try XCTUnwrap((2..<bytes.count - elements.count).first {
            Array(bytes[$0..<$0 + elements.count]) == elements
        })
        XCTAssertEqual(bytes[start - 2..<start], [7, 0], "the length before the elements")
        bytes[start - 2] = 250
        XCTAssertThrowsError(try FlexBufferMap(bytes: bytes, what: "test")) {
            XCTAssertEqual(($0 as? EdgeflowError)?.kind, .invalidModel)
        }
    }

    func testEveryTruncationIsRefused() throws {
        let bytes = try seed("detection_ssd")
        for length in 0..<bytes.count {
            XCTAssertThrowsError(try FlexBufferMap(bytes: Array(bytes[0..<length]), what: "test"), "\(length)") {
                XCTAssertEqual(($0 as? EdgeflowError)?.kind, .invalidModel)
            }
        }
    }

    func testDamagedRootsAreRefused() throws {
        var bytes = try seed("detection_ssd")
        bytes[bytes.count - 2] = 1 << 2   // the root is an INT, not a map
        XCTAssertThrowsError(try FlexBufferMap(bytes: bytes, what: "test"))
        bytes = try seed("detection_ssd")
        bytes[bytes.count - 3] = 0xFF     // the root offset points before the buffer
        XCTAssertThrowsError(try FlexBufferMap(bytes: bytes, what: "test"))
        bytes = try seed("detection_ssd")
        bytes[bytes.count - 1] = 3        // no such width
        XCTAssertThrowsError(try FlexBufferMap(bytes: bytes, what: "test"))
    }
}
