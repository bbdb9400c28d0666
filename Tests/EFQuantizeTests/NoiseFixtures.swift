// Small generated models for the noise-analysis tests, quantized the way `edgeflow optimize
// --calib-set` does (the report stored in the graph's metadata), and their data samples.

import EFCompiler
import EFCore
import EFIR
import EFQuantize
import EFTestSupport
import EFTransforms
import Foundation

enum NoiseFixtures {
    /// conv → relu → conv (+ residual) → relu → global pool → flatten → matMul (+ bias): one u8
    /// output (read by the next conv and, as float, by the residual add) and two float outputs.
    static func smallCNN() throws -> Graph {
        var b = TestGraphBuilder()
        let x = b.input("image", [1, 3, 12, 12])
        let w1 = b.weight("w1", shape: [8, 3, 3, 3], seed: 1, range: -0.5...0.5)
        let c1 = try b.node(.conv, [x, w1, b.weight("b1", shape: [8], seed: 2)], ["pads": .ints([1, 1, 1, 1])])
        let r1 = try b.unary("relu", c1)
        let w2 = b.weight("w2", shape: [8, 8, 3, 3], seed: 3, range: -0.3...0.3)
        let c2 = try b.node(.conv, [r1, w2], ["pads": .ints([1, 1, 1, 1])])
        let r2 = try b.unary("relu", try b.binary("add", c2, r1))
        let pooled = try b.node(.reduce, [r2], ["fn": .string("mean"), "axes": .ints([2, 3]), "keepDims": .int(0)])
        let fc = try b.node(.matMul, [pooled, b.weight("fc", shape: [8, 5], seed: 4)])
        b.output(try b.binary("add", fc, b.weight("fcb", shape: [5], seed: 5)))
        return b.graph
    }

    /// A chain of `count` 3×3 convs with ReLU on [1, 4, 8, 8], channels growing and shrinking, so the
    /// layers differ in MACs and noise.
    static func convChain(_ count: Int) throws -> Graph {
        var b = TestGraphBuilder()
        var x = b.input("x", [1, 4, 8, 8])
        var channels = 4
        for i in 0..<count {
            let next = [4, 6, 8, 5][i % 4]
            let w = b.weight("w\(i)", shape: [next, channels, 3, 3], seed: UInt64(10 + i),
                             range: -Float(0.2 + 0.1 * Double(i % 3))...Float(0.3))
            x = try b.unary("relu", try b.node(.conv, [x, w, b.weight("b\(i)", shape: [next], seed: UInt64(40 + i))],
                                               ["pads": .ints([1, 1, 1, 1])]))
            channels = next
        }
        b.output(x)
        return b.graph
    }

    static func optimized(_ graph: Graph) throws -> Graph {
        try ModelPipeline.optimize(graph, FloatOptimizerOptions(channelsLast: false)).graph
    }

    /// Samples for every input of `graph`, uniform in -1…1.
    static func samples(_ graph: Graph, count: Int, seed: UInt64) -> [[String: Tensor]] {
        (0..<count).map { i in
            Dictionary(uniqueKeysWithValues: graph.inputs.map { name in
                let shape = graph.types[name]!.shape
                return (name, Tensor(shape: shape, scalars: deterministicFloats(shape.reduce(1, *),
                                                                                seed: seed + UInt64(i))))
            })
        }
    }

    /// `float` quantized on `calibration` with the report in its metadata, as optimize stores it.
    static func quantized(_ float: Graph, calibration: [[String: Tensor]],
                          _ options: QuantizerOptions = .init()) throws -> (Graph, QuantizationReport) {
        var (graph, report) = try Quantizer.quantize(float, samples: calibration, options)
        graph.metadata[QuantizationReport.metadataKey] = String(decoding: try JSONEncoder().encode(report),
                                                                as: UTF8.self)
        return (graph, report)
    }

    static func budget() -> MemoryBudget {
        MemoryBudget(limitBytes: 1 << 30, name: "test", howToChange: "raise it")
    }
}
