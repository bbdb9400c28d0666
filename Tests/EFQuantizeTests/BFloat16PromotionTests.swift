// The sensitivity search promoting layers to bf16 (`QuantizerOptions.promotions`): how it measures
// a layer in bf16 on any CPU (BFloat16Simulation: both operands rounded to bfloat16, products in
// float32), which layers it promotes and how the report and the quantized graph record them, and,
// on a CPU with bf16 kernels, that the compiled layers give the cosine the search measured.

import EFCompiler
import EFCore
import EFIR
import EFQuantize
import EFRuntime
import EFTestSupport
import EFTransforms
import XCTest

final class BFloat16PromotionTests: XCTestCase {
    /// BFloat16LayerTests' network with other weights.
    private func network() throws -> Graph { try BFloat16LayerTests.network(seed: 11) }

    private func samples(_ count: Int, seed: UInt64) -> [[String: Tensor]] {
        BFloat16LayerTests.samples(count, seed: seed)
    }

    private func rounded(_ values: [Float]) -> [Float] { values.map { BFloat16($0).floatValue } }

    func testSimulationRoundsBothOperandsAndKeepsOtherReadersExact() throws {
        var b = TestGraphBuilder()
        let x = b.input("x", [3, 5])
        let w = b.weight("w", shape: [5, 4], seed: 21)
        let first = try b.node(.matMul, [x, w])
        b.output(first)
        b.output(try b.node(.matMul, [x, w]))
        let graph = b.graph
        let layer = try XCTUnwrap(graph.nodes.first { $0.outputs[0] == first }?.name)
        let simulated = BFloat16Simulation.apply(graph, layers: [layer])
        XCTAssertNotNil(simulated.weights["w"], "the original weight stays for the other reader")
        let input = deterministicFloats(15, seed: 22)
        let outputs = try ExecutionContext(program: try Compiler.compile(simulated).program)
            .run(["x": Tensor(shape: [3, 5], scalars: input)])
        let weights = try XCTUnwrap(graph.weights[w]).scalars(as: Float.self)
        // Expected: the products of the rounded operands (and of the exact ones), summed in Double.
        func product(_ a: [Float], _ b: [Float]) -> [Double] {
            (0..<3).flatMap { i in
                (0..<4).map { j in (0..<5).reduce(0.0) { $0 + Double(a[i * 5 + $1]) * Double(b[$1 * 4 + j]) } }
            }
        }
        let bf16 = product(rounded(input), rounded(weights)), exact = product(input, weights)
        let got = try XCTUnwrap(outputs[first]).scalars(as: Float.self)
        let other = try XCTUnwrap(outputs[graph.outputs[1]]).scalars(as: Float.self)
        for (e, a) in zip(bf16, got) { XCTAssertEqual(Double(a), e, accuracy: 1e-5 * max(1, abs(e))) }
        for (e, a) in zip(exact, other) { XCTAssertEqual(Double(a), e, accuracy: 1e-5 * max(1, abs(e))) }
        XCTAssertGreaterThan(zip(bf16, exact).map { abs($0 - $1) }.max() ?? 0, 1e-4, "bf16 rounding shows")
    }

    func testSearchPromotesToBFloat16AndRecordsIt() throws {
        let graph = try network()
        var options = QuantizerOptions(targetCosine: 0.999_99)
        options.promotions = [.bf16, .float]
        options.searchProgress = { _ in }
        let (quantized, report) = try Quantizer.quantize(graph, samples: samples(8, seed: 40), options)
        let search = try XCTUnwrap(report.sensitivity)
        XCTAssertLessThan(search.cosineBefore, 0.999_99, "the test needs a model below the target")
        XCTAssertFalse(search.promoted.isEmpty)
        for promoted in search.promoted {
            XCTAssertNil(promoted.cosineAloneWide, "a16_w8 was not allowed")
            let bf16 = try XCTUnwrap(promoted.cosineAloneBFloat16)
            let suffices = 1 - bf16 <= min(1 - promoted.cosineAlone, 1 - 0.999_99) / 4
            XCTAssertEqual(promoted.precision, suffices ? .bf16 : .float)
            XCTAssertEqual(report.layers.first { $0.layer == promoted.layer }?.precision, promoted.precision)
        }
        let bf16Layers = search.promoted.filter { $0.precision == .bf16 }.map(\.layer)
        XCTAssertFalse(bf16Layers.isEmpty, "\(search.promoted)")
        XCTAssertEqual(Set(quantized.nodes.filter(\.bfloat16Products).map(\.name)), Set(bf16Layers))
        XCTAssertGreaterThan(try XCTUnwrap(search.bfloat16MACShare), 0)
        XCTAssertGreaterThanOrEqual(search.cosineAfter, 0.999_99)
        XCTAssertEqual(report.bfloat16Count, bf16Layers.count)

        // Float only: nothing is measured or put in bf16.
        options.promotions = [.float]
        let (plain, floatReport) = try Quantizer.quantize(graph, samples: samples(8, seed: 40), options)
        let floatSearch = try XCTUnwrap(floatReport.sensitivity)
        XCTAssertTrue(floatSearch.promoted.allSatisfy { $0.precision == .float && $0.cosineAloneBFloat16 == nil })
        XCTAssertFalse(plain.nodes.contains(where: \.bfloat16Products))
    }

    /// The compiled bf16 layers (oneDNN's kernel, its own sum order) reach the cosine the search
    /// measured with the simulation, on the held-back samples (the last quarter of the set).
    func testCompiledBFloat16LayersGiveTheMeasuredCosine() throws {
        guard Compiler.supportsBFloat16 else {
            throw XCTSkip("this CPU has no bf16 kernels: the promoted layers cannot be compiled here")
        }
        let graph = try network(), data = samples(8, seed: 40)
        var options = QuantizerOptions(targetCosine: 0.999_99)
        options.promotions = [.bf16, .float]
        let (quantized, report) = try Quantizer.quantize(graph, samples: data, options)
        let search = try XCTUnwrap(report.sensitivity)
        XCTAssertTrue(quantized.nodes.contains(where: \.bfloat16Products))
        let float = ExecutionContext(program: try Compiler.compile(graph).program)
        let compiled = ExecutionContext(program: try Compiler.compile(quantized).program)
        var sum = 0.0
        for sample in data.suffix(2) {
            let name = graph.outputs[0]
            let e = try XCTUnwrap(try float.run(sample)[name]).scalars(as: Float.self)
            let a = try XCTUnwrap(try compiled.run(sample)[name]).scalars(as: Float.self)
            let dot = zip(a, e).reduce(0.0) { $0 + Double($1.0) * Double($1.1) }
            let norms = a.reduce(0.0) { $0 + Double($1) * Double($1) } * e.reduce(0.0) { $0 + Double($1) * Double($1) }
            sum += dot / norms.squareRoot()
        }
        XCTAssertEqual(sum / 2, search.cosineAfter, accuracy: 1e-6)
    }
}
