// The committed real HEF files (Fixtures/README.md). Expected values were read from the files'
// protos; each assertion names the proto field or the HailoRT rule (hef-format.md) it checks.

import EFHailo
import XCTest

final class RealHEFTests: XCTestCase {
    func testMNISTVersion0() throws {
        let data = try HEFFixtures.data(HEFFixtures.mnist)
        XCTAssertTrue(HEFFile.looksLikeHEF(data.prefix(4)))
        let hef = try HEFFile(data: data, label: "mnist").description
        // header: v0, 32 bytes, MD5 over the proto (the whole residue); stored digest bytes 16..<32
        XCTAssertEqual(hef.header.version, 0)
        XCTAssertEqual(hef.header.protoSize, 130_391)
        XCTAssertEqual(hef.header.checksum.algorithm, "MD5")
        XCTAssertEqual(hef.header.checksum.stored, "FB584E3E649EDFFF255DED448AAFC0A5")
        XCTAssertTrue(hef.header.checksum.matches)
        // ProtoHEFHeader.sdk_version (3), version (4), hw_arch (1) = 1 HAILO8P, which 4.23 prints as HAILO8
        XCTAssertEqual(hef.sdkVersion, "3.27.0")
        XCTAssertEqual(hef.protoVersion, 4)
        XCTAssertEqual(hef.architecture.name, "HAILO8P")
        XCTAssertEqual(hef.architecture.hailort4, "HAILO8")
        XCTAssertEqual(hef.extensions.map(\.type), [0, 3, 26, 12])
        XCTAssertEqual(hef.optionalExtensions.map(\.type), [8, 11])
        XCTAssertEqual(hef.mappingBytes, 88_669)
        // network_group_metadata.network_group_name; contexts.size() == 1 → single context;
        // default network <ng>/<ng> (networks_names empty)
        let group = try XCTUnwrap(hef.networkGroups.first)
        XCTAssertEqual(hef.networkGroups.count, 1)
        XCTAssertEqual(group.name, "MNIST_CNN")
        XCTAssertEqual(group.contexts, 1)
        XCTAssertEqual(group.networks, ["MNIST_CNN/MNIST_CNN"])
        // input: format code 1 → device NHCW, host NHWC; data_bytes 1 → UINT8; numeric_info scalars
        let input = try XCTUnwrap(group.inputs.first)
        XCTAssertEqual(group.inputs.count, 1)
        XCTAssertEqual(input.name, "MNIST_CNN/input_layer1")
        XCTAssertEqual([input.formatType, input.order, input.deviceOrder], ["UINT8", "NHWC", "NHCW"])
        XCTAssertEqual(input.shape, [32, 32, 1])
        XCTAssertEqual(input.quantization?.scale, 1)
        XCTAssertEqual(input.quantization?.zeroPoint, 0)
        XCTAssertEqual(input.quantization?.limvalsMax, 255)
        // output: format code 3 → FCR both sides; no OUTPUT_SCALE_PER_FEATURE → scalar quant only
        let output = try XCTUnwrap(group.outputs.first)
        XCTAssertEqual(group.outputs.count, 1)
        XCTAssertEqual(output.name, "MNIST_CNN/maxpool3")
        XCTAssertEqual([output.formatType, output.order], ["UINT8", "FCR"])
        XCTAssertEqual(output.shape, [4, 4, 16])
        XCTAssertEqual(try XCTUnwrap(output.quantization?.scale), 0.035731196, accuracy: 1e-8)
        XCTAssertEqual(output.quantization?.zeroPoint, 0)
        XCTAssertNil(output.quantization?.perChannelScales)
        XCTAssertEqual(output.originalNames, ["MNIST_CNN/maxpool3/MaxPool"])
        XCTAssertEqual(hef.warnings, [])
    }

    func testLightfaceVersion3() throws {
        let hef = try HEFFile(data: try HEFFixtures.data(HEFFixtures.lightface), label: "lf").description
        // v3 header: ccws_size_with_padding 618 817 − padding 401; additional info 80; both XXH3 match
        XCTAssertEqual(hef.header.version, 3)
        XCTAssertEqual([hef.header.protoSize, hef.header.paddingSize, hef.header.ccwSize,
                        hef.header.additionalInfoSize], [11_831, 401, 618_416, 80])
        XCTAssertEqual(hef.header.checksum.stored, "213F967119D61372")
        XCTAssertTrue(hef.header.checksum.matches)
        XCTAssertEqual(hef.header.protoChecksum?.stored, "94F5106C01A779E3")
        XCTAssertEqual(hef.header.protoChecksum?.matches, true)
        XCTAssertTrue(hef.sdkVersion.hasPrefix("sdk-version: 5.4.0"))
        // hw_arch 103: HAILO15H in 4.23, "HAILO15H, HAILO10H" in HailoRT 5
        XCTAssertEqual(hef.architecture.code, 103)
        XCTAssertEqual(hef.architecture.hailort5, "HAILO15H, HAILO10H")
        XCTAssertEqual(hef.mappingBytes, 0)
        let group = try XCTUnwrap(hef.networkGroups.first)
        XCTAssertEqual(group.name, "lightface_slim")
        XCTAssertEqual(group.inputs.map(\.shape), [[240, 320, 3]])
        // outputs in sorted_outputs_order, not edge-layer order
        XCTAssertEqual(group.outputs.map(\.name), ["conv23", "conv22", "conv13", "conv12", "conv18", "conv17",
                                                   "conv21", "conv20"].map { "lightface_slim/" + $0 })
        XCTAssertEqual(group.outputs.map { $0.shape[2] }, [12, 6, 8, 4, 8, 4, 12, 6])
        // OUTPUT_SCALE_PER_FEATURE (25): qp_scales has `features` entries, qp_zps is empty →
        // per-channel scales with the scalar zero point shared (HailoRT 5's rule)
        let conv13 = try XCTUnwrap(group.outputs[2].quantization)
        XCTAssertEqual(conv13.perChannelScales?.count, 8)
        XCTAssertEqual(Set(conv13.perChannelScales ?? []).count, 7)  // 8 entries, two channels share one value
        XCTAssertEqual(conv13.perChannelZeroPoints, [])
        XCTAssertEqual(conv13.zeroPoint, 132)
        XCTAssertEqual(group.outputs.map { $0.quantization?.zeroPoint }, [133, 128, 132, 128, 118, 128, 164, 128])
        XCTAssertTrue(conv13.rule.contains("4.23 refuses"))
    }
}

final class RewrappedHEFTests: XCTestCase {
    /// The real lightface proto in a v2 header (XXH3-64 over proto + 16-byte CCW section), the
    /// `Fuzz/seeds/hef` seed: a v2 file decodes like the v3 original.
    func testRealProtoInVersion2Header() throws {
        let url = HEFFixtures.directory.deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("Fuzz/seeds/hef/lightface-proto-v2.hef")
        let hef = try HEFFile(data: try Data(contentsOf: url), label: "v2").description
        XCTAssertEqual(hef.header.version, 2)
        XCTAssertEqual(hef.header.checksum.algorithm, "XXH3-64")
        XCTAssertTrue(hef.header.checksum.matches)
        XCTAssertEqual(hef.header.ccwSize, 16)
        XCTAssertEqual(hef.networkGroups.first?.outputs.count, 8)
    }
}
