// Synthetic HEFs from HEFWriter for what no public file has: v1/v2 headers, UINT16 streams,
// on-chip NMS, several network groups, per-channel quantization, non-boundary layers, an NMS
// post-process op and unknown extensions.

import EFCore
import EFHailo
import XCTest

final class SyntheticHEFTests: XCTestCase {
    private func read(_ bytes: [UInt8]) throws -> HEFDescription {
        try HEFFile(data: Data(bytes), label: "synthetic").description
    }

    func testEveryHeaderVersionRoundTrips() throws {
        let proto = HEFWriter.proto(groups: [HEFWriter.group("g", [SyntheticStream(name: "g/out")])])
        for (version, algorithm) in [(0, "MD5"), (1, "CRC-32"), (2, "XXH3-64"), (3, "XXH3-64")] {
            let hef = try read(HEFWriter.file(version: version, proto: proto))
            XCTAssertEqual(hef.header.version, version)
            XCTAssertEqual(hef.header.checksum.algorithm, algorithm)
            XCTAssertTrue(hef.header.checksum.matches)
            XCTAssertEqual(hef.header.ccwSize, version == 0 ? 0 : 4)
            XCTAssertEqual(hef.networkGroups.map(\.name), ["g"])
        }
    }

    func testUInt16AndNMSAndBoundaryFilter() throws {
        let streams = [
            SyntheticStream(name: "g/in", output: false, shape: [8, 8, 3], format: 0),
            SyntheticStream(name: "g/wide", shape: [2, 3, 4], format: 0, dataBytes: 2),
            SyntheticStream(name: "g/nc", shape: [1, 1, 10], format: 2),
            SyntheticStream(name: "g/nms", shape: [1, 1, 1], format: 6, nms: (80, 100, 5, 1)),
            SyntheticStream(name: "g/inner", connection: 1),
        ]
        let hef = try read(HEFWriter.file(version: 1, proto: HEFWriter.proto(groups: [HEFWriter.group("g", streams)])))
        let group = try XCTUnwrap(hef.networkGroups.first)
        // INTERMEDIATE (edge_connection_type 1) is not an input or output
        XCTAssertEqual(group.outputs.map(\.name), ["g/wide", "g/nc", "g/nms"])
        XCTAssertEqual(group.inputs.map(\.name), ["g/in"])
        // data_bytes 2 → UINT16, frame = 2·3·4·2 bytes
        XCTAssertEqual(group.outputs[0].formatType, "UINT16")
        XCTAssertEqual(group.outputs[0].frameBytes, 48)
        // format 2 → NC, shape printed as (C)
        XCTAssertEqual(group.outputs[1].order, "NC")
        XCTAssertEqual(group.outputs[1].shape, [10])
        // format 6 → FLOAT32 HAILO NMS BY CLASS; frame = classes · (20 · max bboxes + 4)
        let nms = group.outputs[2]
        XCTAssertEqual([nms.formatType, nms.order, nms.deviceOrder],
                       ["FLOAT32", "HAILO NMS BY CLASS", "HAILO NMS ON CHIP"])
        XCTAssertEqual(nms.nms?.classes, 80)
        XCTAssertEqual(nms.frameBytes, 80 * (20 * 100 + 4))
        XCTAssertEqual(nms.shapeText, "(number of classes: 80, maximum bounding boxes per class: 100, "
                       + "maximum frame size: 160320)")
    }

    func testGroupsSortedByNameOutputsBySortedOrder() throws {
        let b = HEFWriter.group("beta", [SyntheticStream(name: "beta/x"), SyntheticStream(name: "beta/y")],
                                sorted: ["beta/y", "beta/x"], contexts: 3)
        let a = HEFWriter.group("alpha", [SyntheticStream(name: "alpha/z")])
        let hef = try read(HEFWriter.file(version: 2, proto: HEFWriter.proto(groups: [b, a])))
        XCTAssertEqual(hef.networkGroups.map(\.name), ["alpha", "beta"])
        XCTAssertEqual(hef.networkGroups[1].contexts, 3)
        XCTAssertEqual(hef.networkGroups[1].outputs.map(\.name), ["beta/y", "beta/x"])
        XCTAssertTrue(hef.textLines.contains("Network group name: beta, Multi Context - Number of contexts: 3"))
    }

    func testPerChannelQuantizationNeedsTheExtension() throws {
        var stream = SyntheticStream(name: "g/out", shape: [1, 1, 3])
        stream.scales = [0.1, 0.2, 0.3]
        stream.zeroPoints = [1, 2, 3]
        let group = HEFWriter.group("g", [stream])
        let without = try read(HEFWriter.file(version: 3, proto: HEFWriter.proto(groups: [group])))
        XCTAssertNil(without.networkGroups[0].outputs[0].quantization?.perChannelScales)
        let with = try read(HEFWriter.file(version: 3, proto: HEFWriter.proto(groups: [group],
                                                                               extensions: [0, 25, 26])))
        let quant = try XCTUnwrap(with.networkGroups[0].outputs[0].quantization)
        XCTAssertEqual(quant.perChannelScales, [0.1, 0.2, 0.3])
        XCTAssertEqual(quant.perChannelZeroPoints, [1, 2, 3])
        XCTAssertEqual(quant.scale, 0.5)
        stream.scales = [0.1, 0.2]
        let bad = try read(HEFWriter.file(version: 3, proto: HEFWriter.proto(groups: [HEFWriter.group("g", [stream])],
                                                                              extensions: [0, 25, 26])))
        XCTAssertTrue(bad.warnings.contains { $0.contains("invalid quantization infos vector") }, "\(bad.warnings)")
    }

    func testNMSPostProcessReplacesItsInputs() throws {
        let core = HEFWriter.group("det", [SyntheticStream(name: "det/in", output: false),
                                           SyntheticStream(name: "det/a"), SyntheticStream(name: "det/b"),
                                           SyntheticStream(name: "det/keep")])
        var group = ProtoWriter()
        group.message(8) { op in op.string(1, "core"); op.bytesField(4, core) }
        group.message(8) { op in
            op.string(1, "YOLOV8-Post-Process")
            op.message(2) { $0.string(2, "det/a") }
            op.message(2) { $0.string(2, "det/b") }
            op.message(3) { $0.string(2, "det/yolov8_nms_postprocess") }
            op.message(5) { nms in
                nms.double(1, 0.2); nms.double(2, 0.7); nms.int(3, 100); nms.int(4, 80); nms.bytesField(12, [])
            }
        }
        let proto = HEFWriter.proto(groups: [group.bytes], extensions: [0, 13, 26])
        let hef = try read(HEFWriter.file(version: 3, proto: proto))
        let result = try XCTUnwrap(hef.networkGroups.first)
        XCTAssertEqual(result.outputs.map(\.name), ["det/yolov8_nms_postprocess", "det/keep"])
        XCTAssertEqual(result.outputs[0].nms?.maxBboxesPerClass, 100)
        XCTAssertEqual(result.operations.first?.details, ["Op YOLOV8", "Name: YOLOV8-Post-Process",
            "Score threshold: 0.200", "IoU threshold: 0.70", "Classes: 80", "Max bboxes per class: 100"])
    }

    func testUnknownRequiredExtensionAndMissingPeriphAreReported() throws {
        let proto = HEFWriter.proto(groups: [HEFWriter.group("g", [SyntheticStream(name: "g/o")])], extensions: [0, 99])
        let hef = try read(HEFWriter.file(version: 1, proto: proto))
        XCTAssertTrue(hef.warnings.contains { $0.contains("EXT_99 (type 99)") }, "\(hef.warnings)")
        XCTAssertTrue(hef.warnings.contains { $0.contains("outdated HEF") }, "\(hef.warnings)")
    }
}
