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
