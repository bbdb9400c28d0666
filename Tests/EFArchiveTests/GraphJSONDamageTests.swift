// graph.json and metadata.json with hostile numbers: dims that overflow or are negative,
// floats where ints belong, non-finite markers as ints, deep nesting. Each is an invalid
// archive naming the value, never a trap and never an internal error.

import EFArchive
import EFCore
import EFIR
import EFTestSupport
import Foundation
import XCTest

final class GraphJSONDamageTests: XCTestCase {
    /// x [2, 3] → softmax(axis 1) → y.
    private func softmaxGraph() throws -> Graph {
        var builder = TestGraphBuilder()
        let x = builder.input("x", [2, 3])
        builder.output(try builder.node(.softmax, [x], ["axis": .int(1)]))
        return builder.graph
    }

    /// `graph.json` of `graph` edited as an object, then with textual replacements applied.
    private func graphJSON(_ graph: Graph, _ edit: (inout [String: Any]) -> Void,
                           replacing replacements: [(String, String)] = []) throws -> Data {
        let editing = try ArchiveEditing(graph)
        let original = try XCTUnwrap(editing.members.first { $0.name == "graph.json" }).data
        var object = try XCTUnwrap(JSONSerialization.jsonObject(with: original) as? [String: Any])
        edit(&object)
        var text = String(decoding: try JSONSerialization.data(withJSONObject: object), as: UTF8.self)
        for (old, new) in replacements {
            XCTAssertTrue(text.contains(old), "graph.json lacks \(old)")
            text = text.replacingOccurrences(of: old, with: new)
        }
        return Data(text.utf8)
    }

    private func settingShape(of value: String, to shape: [Any]) -> (inout [String: Any]) -> Void {
        { document in
            var values = document["values"] as? [String: Any] ?? [:]
            values[value] = ["dtype": "float32", "shape": shape]
            document["values"] = values
        }
    }

    private func assertGraphError(_ json: Data, _ fragment: String,
                                  file: StaticString = #filePath, line: UInt = #line) {
        assertEdgeflowError(try EdgeflowArchive.decodeGraph(json: json, label: "g.efa"), .invalidArchive, fragment,
                            file: file, line: line)
    }

    func testHugeDimensionsAreRefused() throws {
        let graph = SampleGraphs.withNodes()
        assertGraphError(try graphJSON(graph, settingShape(of: "x", to: [Int.max])),
                         "value 'x' (float32[9223372036854775807]): float32[9223372036854775807] is more than")
        assertGraphError(try graphJSON(graph, settingShape(of: "x", to: [Int.max, 2])),
                         "has more than 9223372036854775807 elements")
        assertGraphError(try graphJSON(graph, settingShape(of: "x", to: [0, 1 << 62, 1 << 62])),
                         "is empty but its other dimensions multiply to more than")
        assertGraphError(try graphJSON(graph, settingShape(of: "x", to: [1 << 20, 1 << 19])),
                         "would hold 2 TiB, over the 1 TiB limit on one tensor")
        assertGraphError(try graphJSON(graph, settingShape(of: "x", to: [0, 1 << 50])),
                         "would hold 4096 TiB if its empty dimensions were 1, over the 1 TiB limit")
        assertGraphError(try graphJSON(graph, settingShape(of: "x", to: [0, Int.max])),
                         "would hold more than 8 EiB if its empty dimensions were 1")
        assertGraphError(try graphJSON(graph, settingShape(of: "x", to: [Int](repeating: 1, count: 65))),
                         "65 dimensions, more than the 64")
    }

    func testNegativeDimensionsAreRefused() throws {
        assertGraphError(try graphJSON(SampleGraphs.withNodes(), settingShape(of: "sum", to: [-1, 3])),
                         "value 'sum' (float32[-1, 3]): negative dimension -1 in [-1, 3]")
    }

    func testHugeFloatsWhereIntsBelongAreRefused() throws {
        let graph = SampleGraphs.withNodes()
        assertGraphError(try graphJSON(graph, settingShape(of: "x", to: [1, 424242]), replacing: [("424242", "1e300")]),
                         "graph.json is malformed")
        assertGraphError(try graphJSON(graph, settingShape(of: "x", to: [1, 424242]),
                                       replacing: [("424242", "9223372036854775808")]),
                         "graph.json is malformed")
    }

    func testNonIntegralParametersWhereIntsBelongAreInvalidArchives() throws {
        let editing = try ArchiveEditing(softmaxGraph())
        for axis in ["1e30", "\"Infinity\"", "\"-Infinity\"", "\"NaN\"", "1.5", "3.4e38"] {
            assertArchiveError(try editing.replacingText("\"axis\":1", with: "\"axis\":\(axis)", compact: true),
                               .invalidArchive, "the graph is inconsistent: node 'n1' (softmax)")
        }
        // Integral floats are fine.
        let integral = try editing.replacingText("\"axis\":1", with: "\"axis\":1.0", compact: true)
        let graph = try EdgeflowArchive.read(data: integral, label: "a.efa").graph
        XCTAssertEqual(graph.nodes.first?.attributes.int("axis"), 1)
    }

    func testNonFiniteMarkersInIntListsAreInvalidArchives() throws {
        let editing = try ArchiveEditing(SampleGraphs.withNodes())
        for perm in ["[0,2,3,1e30]", "[0,2,3,\"Infinity\"]", "\"Infinity\"", "[0,2,3,-9.3e18]"] {
            let data = try editing.replacingText("\"perm\":[0,2,3,1]", with: "\"perm\":\(perm)", compact: true)
            assertArchiveError(data, .invalidArchive, "the graph is inconsistent: node 'perm' (transpose)")
        }
    }

    func testVerifierFailuresAreInvalidArchivesNotInternalErrors() throws {
        let editing = try ArchiveEditing(softmaxGraph())
        assertArchiveError(try editing.replacingText("\"axis\":1", with: "\"axis\":7", compact: true),
                           .invalidArchive, "the graph is inconsistent: node 'n1' (softmax): axis 7")
        // A node reading its own output.
        let cycle = try editing.editingJSON { document in
            var layers = document["layers"] as? [[String: Any]] ?? []
            layers[0]["inputs"] = ["v1_0"]
            document["layers"] = layers
        }
        assertArchiveError(cycle, .invalidArchive, "inconsistent: node 'n1' reads 'v1_0' before it is defined")
    }

    func testDeepNestingIsRefused() throws {
        let deep = String(repeating: "[", count: 100_000) + String(repeating: "]", count: 100_000)
        let json = try graphJSON(SampleGraphs.withNodes(), { _ in }, replacing: [("\"perm\":[0,2,3,1]", "\"perm\":\(deep)")])
        assertGraphError(json, "graph.json is malformed")
    }

    func testOversizedJSONIsRefusedBeforeParsing() {
        assertGraphError(Data(count: EdgeflowArchive.maxJSONMemberBytes + 1), "over the 64 MiB limit")
    }

    func testHugeNumbersInMetadataAreRefused() throws {
        let editing = try ArchiveEditing(softmaxGraph())
        assertArchiveError(try editing.replacingText("\"formatVersion\" : 1", with: "\"formatVersion\" : 1e300",
                                                     in: "metadata.json"),
                           .invalidArchive, "metadata.json is malformed")
        let tooSmall = "\"formatVersion\" : -9223372036854775809"
        assertArchiveError(try editing.replacingText("\"formatVersion\" : 1", with: tooSmall, in: "metadata.json"),
                           .invalidArchive, "metadata.json is malformed")
    }
}
