// write → read of `.efa` archives is lossless: graph structure, parameters, metadata, and
// weights bit for bit; and the members are what standard tools expect.

import EFArchive
import EFCore
import EFIR
import EFKernels
import EFTestSupport
import Foundation
import XCTest

final class ArchiveRoundTripTests: XCTestCase {
    private func assertLossless(_ graph: Graph, file: StaticString = #filePath, line: UInt = #line) throws {
        let directory = try TestData.temporaryDirectory("efa-test")
        defer { try? FileManager.default.removeItem(at: directory) }
        let url = directory.appendingPathComponent("model.efa")
        let source = SourceModel(fileName: "model.onnx", sha256: String(repeating: "ab", count: 32))
        let metadata = try ArchiveMetadata(describing: graph, sourceModel: source,
                                           created: Date(timeIntervalSince1970: 1_700_000_000))
        try EdgeflowArchive.write(graph: graph, metadata: metadata, to: url)
        let archive = try EdgeflowArchive.read(from: url)

        XCTAssertEqual(archive.metadata, metadata, file: file, line: line)
        let read = archive.graph
        XCTAssertEqual(read.name, graph.name, file: file, line: line)
        XCTAssertEqual(read.stage, graph.stage, file: file, line: line)
        XCTAssertEqual(read.inputs, graph.inputs, file: file, line: line)
        XCTAssertEqual(read.outputs, graph.outputs, file: file, line: line)
        XCTAssertEqual(read.nodes, graph.nodes, file: file, line: line)
        XCTAssertEqual(read.types, graph.types, file: file, line: line)
        XCTAssertEqual(read.metadata, graph.metadata, file: file, line: line)
        XCTAssertEqual(Set(read.weights.keys), Set(graph.weights.keys), file: file, line: line)
        for (name, tensor) in graph.weights {
            XCTAssertTrue(read.weights[name]?.isBitwiseEqual(to: tensor) == true, "weight \(name)", file: file, line: line)
        }
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: directory.path), ["model.efa"],
                       "no temporary file is left", file: file, line: line)
    }

    func testWeightsOfEveryDTypeRoundTripBitwise() throws {
        try assertLossless(SampleGraphs.weightsOnly())
    }

    func testSmallTypeWeightsRoundTripBitwise() throws {
        // int4/uint2 are stored packed (odd counts pad the last byte), float8/float4 as codes.
        var graph = SampleGraphs.weightsOnly()
        let small: [String: (DType, [UInt8])] = [
            "i4": (.int4, [0x07, 0xF8, 0xFF, 0x03, 0x05]), "u2": (.uint2, [3, 0, 2]),
            "e5m2": (.float8e5m2, [0x7C, 0xFE]), "fp4": (.float4e2m1, [0x0F, 0x01, 0x08]),
        ]
        for (name, (dtype, bytes)) in small {
            graph.weights[name] = bytes.withUnsafeBytes { Tensor(dtype: dtype, shape: [bytes.count], bytes: $0) }
            graph.types[name] = TensorType(dtype, [bytes.count])
        }
        try assertLossless(graph)
    }

    func testNodesWithParametersOfEveryKindRoundTrip() throws {
        let graph = SampleGraphs.withNodes()
        try assertLossless(graph)
    }

    func testGraphJSONKeepsScalarArraysOnOneLine() throws {
        let directory = try TestData.temporaryDirectory("efa-test")
        defer { try? FileManager.default.removeItem(at: directory) }
        let url = directory.appendingPathComponent("m.efa")
        let graph = SampleGraphs.withNodes()
        try EdgeflowArchive.write(graph: graph, metadata: ArchiveMetadata(describing: graph, sourceModel: nil), to: url)
        let members = try ZipFile.decode(Data(contentsOf: url), label: url.path)
        let text = String(decoding: try XCTUnwrap(members.first { $0.name == "graph.json" }).data, as: UTF8.self)
        XCTAssertTrue(text.contains(#""perm" : [0, 2, 3, 1]"#), text)
        XCTAssertTrue(text.contains(#""inputShapes" : [\#n        [1, 3, 4, 4],\#n        [1, 3, 4, 4]\#n      ]"#), text)
        XCTAssertTrue(text.contains(#""originalNames" : ["/Add", "onnx::Add_3", "α", "", "[", "a\\\"b]\n", "{x}, 1"]"#),
                      text)
    }

    func testNonFiniteAndTinyFloatParametersKeepTheirBits() throws {
        let directory = try TestData.temporaryDirectory("efa-test")
        defer { try? FileManager.default.removeItem(at: directory) }
        let url = directory.appendingPathComponent("m.efa")
        var graph = SampleGraphs.withNodes()
        let bounds = UnaryParameters(alpha: -.infinity, beta: 1e-7, gamma: .nan)
        graph.nodes[1].params = .unary(UnaryOp(.clip, bounds))
        try EdgeflowArchive.write(graph: graph, metadata: ArchiveMetadata(describing: graph, sourceModel: nil), to: url)
        guard case .unary(let read) = try EdgeflowArchive.read(from: url).graph.nodes[1].params else {
            return XCTFail("the unary node came back as another op")
        }
        XCTAssertEqual(read.fn, .clip)
        XCTAssertEqual([read.constants.alpha, read.constants.beta].map(\.bitPattern), [-Float.infinity, 1e-7].map(\.bitPattern))
        XCTAssertTrue(read.constants.gamma.isNaN)
    }

    func testMembersAreReadableJSONAndAnNPZ() throws {
        let directory = try TestData.temporaryDirectory("efa-test")
        defer { try? FileManager.default.removeItem(at: directory) }
        let url = directory.appendingPathComponent("m.efa")
        let graph = SampleGraphs.weightsOnly()
        let source = SourceModel(fileName: "m.onnx", sha256: String(repeating: "0", count: 64))
        try EdgeflowArchive.write(graph: graph, metadata: ArchiveMetadata(describing: graph, sourceModel: source), to: url)
        let members = try ZipFile.decode(Data(contentsOf: url), label: url.path)
        XCTAssertEqual(members.map(\.name), ["metadata.json", "graph.json", "weights.npz"])

        let metadata = try XCTUnwrap(JSONSerialization.jsonObject(with: members[0].data) as? [String: Any])
        XCTAssertEqual(metadata["format"] as? String, "edgeflow-archive")
        XCTAssertEqual(metadata["formatVersion"] as? Int, 1)
        XCTAssertEqual(metadata["state"] as? String, "native")
        XCTAssertEqual((metadata["sourceModel"] as? [String: Any])?["fileName"] as? String, "m.onnx")
        let inputs = try XCTUnwrap(metadata["inputs"] as? [[String: Any]])
        XCTAssertEqual(inputs.first?["byteCount"] as? Int, 1 * 3 * 4 * 4 * 4)
        let created = try XCTUnwrap(metadata["created"] as? String)
        XCTAssertNotNil(ISO8601DateFormatter().date(from: created), created)

        let graphJSON = try XCTUnwrap(JSONSerialization.jsonObject(with: members[1].data) as? [String: Any])
        let weightList = try XCTUnwrap(graphJSON["weights"] as? [[String: String]])
        XCTAssertTrue(weightList.contains(["name": "onnx::Bf16_1", "npzKey": "onnx%3A%3ABf16_1"]))
        XCTAssertEqual((graphJSON["metadata"] as? [String: String])?["character"], graph.metadata["character"])

        // bfloat16 is stored as its uint16 bit pattern; everything else keeps its numpy dtype.
        let npz = try NPZ.decode(members[2].data, label: "weights.npz")
        XCTAssertEqual(npz["onnx::Bf16_1"]?.dtype, .uint16)
        XCTAssertEqual(npz["onnx::Bf16_1"]?.scalars(as: UInt16.self), [BFloat16(1.5).bitPattern, BFloat16(-2.25).bitPattern])
        XCTAssertEqual(npz["half"]?.dtype, .float16)
    }
}
