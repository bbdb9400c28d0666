// The deploy-only runtime on a compiled executable: outputs equal the in-process compiled
// program's bit for bit and the interpreter's within float tolerance; descriptors, async runs,
// batches, concurrent runs and wrong inputs.

import EFCore
import EFIR
import EFTestSupport
import EdgeflowRuntime
import Foundation
import XCTest

final class EdgeflowModelTests: XCTestCase {
    func testRunsLikeTheCompiledProgramAndTheInterpreter() throws {
        let graph = try ExecutableFixtures.graph()
        let model = try EdgeflowModel(data: try ExecutableFixtures.bytes(graph), label: "m.efx")
        XCTAssertEqual(model.inputs.map(\.name), ["x"])
        XCTAssertEqual(model.inputs.first?.shape, [1, 3, 8, 8])
        XCTAssertEqual(model.outputs.first?.shape, [1, 5])
        XCTAssertEqual(model.fallbacks, [], "every step of this model has a fast kernel")
        let inputs = ExecutableFixtures.input()
        let loaded = try model.run(inputs)
        let inProcess = try ExecutableRoundTrip.load(graph).run(inputs)
        let reference = try ExecutableFixtures.reference(graph, inputs)
        let output = graph.outputs[0]
        XCTAssertEqual(loaded[output]?.scalars(as: Float.self), inProcess[output]?.scalars(as: Float.self))
        let difference = zip(try XCTUnwrap(loaded[output]).scalars(as: Float.self),
                             try XCTUnwrap(reference[output]).scalars(as: Float.self)).map { abs($0 - $1) }.max() ?? 1
        XCTAssertLessThan(difference, 1e-4)
    }

    func testAsyncBatchAndConcurrentRunsAgree() async throws {
        let model = try EdgeflowModel(data: try ExecutableFixtures.bytes(try ExecutableFixtures.graph()), label: "m.efx")
        let inputs = (0..<4).map { ExecutableFixtures.input(seed: UInt64(10 + $0)) }
        let sequential = try inputs.map { try model.run($0) }
        let batch = try model.run(batch: inputs)
        let asynchronous = try await model.run(inputs[2])
        let name = model.outputs[0].name
        XCTAssertEqual(batch.map { $0[name]?.scalars(as: Float.self) }, sequential.map { $0[name]?.scalars(as: Float.self) })
        XCTAssertEqual(asynchronous[name]?.scalars(as: Float.self), sequential[2][name]?.scalars(as: Float.self))
        let concurrent = try await withThrowingTaskGroup(of: (Int, [Float]).self) { group in
            for index in 0..<8 {
                group.addTask { (index, try model.run(inputs[index % 4])[name]!.scalars(as: Float.self)) }
            }
            return try await group.reduce(into: [Int: [Float]]()) { $0[$1.0] = $1.1 }
        }
        for (index, values) in concurrent {
            XCTAssertEqual(values, sequential[index % 4][name]?.scalars(as: Float.self), "concurrent run \(index)")
        }
    }

    func testSeveralModelsShareThePoolAndRunAtOnce() async throws {
        var other = try ExecutableFixtures.graph()
        other.name = "other"
        other.weights["w"] = Tensor(shape: [4, 3, 3, 3], scalars: deterministicFloats(108, seed: 99))
        let first = try EdgeflowModel(data: try ExecutableFixtures.bytes(try ExecutableFixtures.graph()), label: "a.efx")
        let second = try EdgeflowModel(data: try ExecutableFixtures.bytes(other), label: "b.efx")
        let inputs = ExecutableFixtures.input()
        let name = first.outputs[0].name
        let alone = [try first.run(batch: [inputs])[0][name]!.scalars(as: Float.self),
                     try second.run(batch: [inputs])[0][name]!.scalars(as: Float.self)]
        XCTAssertNotEqual(alone[0], alone[1], "the two models differ")
        let together = try await withThrowingTaskGroup(of: (Int, [Float]).self) { group in
            for index in 0..<6 {
                let model = index % 2 == 0 ? first : second
                group.addTask { (index % 2, try await model.run(inputs)[name]!.scalars(as: Float.self)) }
            }
            return try await group.reduce(into: [(Int, [Float])]()) { $0.append($1) }
        }
        for (which, values) in together { XCTAssertEqual(values, alone[which]) }
    }

    func testNonFiniteParametersSurviveTheFile() throws {
        var g = TestGraphBuilder()
        let x = g.input("x", [2, 3])
        g.output(try g.unary("clip", x, ["alpha": .float(-.infinity), "beta": .float(0.5)]))
        let model = try EdgeflowModel(data: try ExecutableFixtures.bytes(g.graph), label: "clip.efx")
        let input = Tensor(shape: [2, 3], scalars: [Float](arrayLiteral: -1e30, -1, 0, 0.25, 0.5, 7))
        let output = try model.run(["x": input])[g.graph.outputs[0]]
        XCTAssertEqual(output?.scalars(as: Float.self), [-1e30, -1, 0, 0.25, 0.5, 0.5])
    }

    func testWrongInputsAreRefusedWithTheContract() throws {
        let model = try EdgeflowModel(data: try ExecutableFixtures.bytes(try ExecutableFixtures.graph()), label: "m.efx")
        let cases: [([String: Tensor], String)] = [
            (["x": Tensor(zeros: .float64, shape: [1, 3, 8, 8])], "input 'x' is float64[1, 3, 8, 8] but the model expects float32[1, 3, 8, 8]"),
            (["x": Tensor(zeros: .float32, shape: [1, 8, 8, 3])], "but the model expects float32[1, 3, 8, 8]"),
            ([:], "missing input(s) x"),
            (["x": Tensor(zeros: .float32, shape: [1, 3, 8, 8]), "y": Tensor(zeros: .float32, shape: [1])], "unknown input(s) y"),
        ]
        for (inputs, message) in cases {
            XCTAssertThrowsError(try model.run(inputs)) { error in
                let error = error as? EdgeflowError
                XCTAssertEqual(error?.kind, .invalidInput)
                XCTAssertTrue(error?.message.contains(message) == true, "\(error?.message ?? "") lacks \(message)")
            }
        }
    }

    func testMissingCPUFeaturesAreRefusedBeforeAnythingIsBuilt() throws {
        let data = try ExecutableFixtures.bytes(try ExecutableFixtures.graph()) { manifest in
            manifest.requiredCPUFeatures = ["sse2", "edgeflow_test_feature_no_cpu_has"]
        }
        XCTAssertThrowsError(try EdgeflowModel(data: data, label: "future.efx")) { error in
            let error = error as? EdgeflowError
            XCTAssertEqual(error?.kind, .unsupported)
            XCTAssertTrue(error?.message.contains("lacks: edgeflow_test_feature_no_cpu_has") == true, error?.message ?? "")
        }
    }
}
