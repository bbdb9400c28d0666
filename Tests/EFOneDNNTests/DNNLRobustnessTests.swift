// Robustness of the oneDNN layer: bad geometry is refused with `.unsupported` (never a crash),
// and one kernel executed concurrently from two threads with their own buffers gives the
// same result as a single call.

import EFCore
import EFKernels
import EFOneDNN
import EFTestSupport
import Foundation
import XCTest

final class DNNLRobustnessTests: XCTestCase {
    func testBadConvolutionGeometryThrowsUnsupported() {
        let bad: [DNNLConvolutionShape] = [
            .init(batch: 0, inChannels: 3, outChannels: 4, inputSpatial: [5, 5], kernel: [3, 3]),
            .init(batch: 1, inChannels: 3, outChannels: 4, inputSpatial: [5, 5], kernel: [3, 3], groups: 2),
            .init(batch: 1, inChannels: 3, outChannels: 4, inputSpatial: [2, 2], kernel: [3, 3]),
            .init(batch: 1, inChannels: 3, outChannels: 4, inputSpatial: [2, 2, 2, 2], kernel: [1, 1, 1, 1]),
            .init(batch: 1, inChannels: 3, outChannels: 4, inputSpatial: [5, 5], kernel: [3, 3], strides: [0, 1]),
            .init(batch: 1, inChannels: 3, outChannels: 4, inputSpatial: [5, 5], kernel: [3, 3], padBegin: [-1, 0], padEnd: [0, 0]),
            .init(batch: 1, inChannels: 3, outChannels: 4, inputSpatial: [5, 5], kernel: [3]),
            .init(batch: 1 << 30, inChannels: 1 << 20, outChannels: 4, inputSpatial: [1 << 20, 5], kernel: [3, 3]),
        ]
        for shape in bad {
            let weights = Tensor(zeros: .float32, shape: [4, 1, 1, 1])
            XCTAssertThrowsError(try DNNLConvolution(shape: shape, layout: .nchw, weights: weights, bias: nil)) { error in
                XCTAssertEqual((error as? EdgeflowError)?.kind, .unsupported, "\(shape): \(error)")
            }
        }
        let ok = DNNLConvolutionShape(batch: 1, inChannels: 3, outChannels: 4, inputSpatial: [5, 5], kernel: [3, 3])
        XCTAssertThrowsError(try DNNLConvolution(shape: ok, layout: .nchw, weights: Tensor(zeros: .float32, shape: [4, 3, 2, 2]),
                                                 bias: nil)) { error in
            XCTAssertEqual((error as? EdgeflowError)?.kind, .invalidInput, "\(error)")
        }
    }

    func testMissingScratchpadOrRuntimeOperandIsAnError() throws {
        let kernel = try DNNLMatMul(shape: DNNLMatMulShape(a: [2, 3], b: [3, 4]), b: .runtime, bias: nil)
        let a = [Float](repeating: 1, count: 6)
        var c = [Float](repeating: 0, count: 8)
        XCTAssertThrowsError(try a.withUnsafeBytes { pa in
            try c.withUnsafeMutableBytes { try kernel.execute(a: pa.baseAddress!, b: nil, destination: $0.baseAddress!, scratchpad: nil) }
        })
    }

    func testConcurrentExecutionMatchesSingleCall() throws {
        var random = SeededValues(seed: 7)
        let shape = DNNLConvolutionShape(batch: 1, inChannels: 16, outChannels: 24, inputSpatial: [12, 10], kernel: [3, 3],
                                         padBegin: [1, 1], padEnd: [1, 1])
        let kernel = try DNNLConvolution(shape: shape, layout: .nhwc, weights: random.floatTensor([24, 16, 3, 3]),
                                         bias: random.floatTensor([24]), epilogue: DNNLEpilogue(activation: .relu))
        let inputs = (0..<2).map { _ in random.floatTensor([1, 12, 10, 16]) }
        let expected = try inputs.map { x in
            try runKernel(source: x, outputShape: kernel.outputShape, outputType: .float32, initial: nil,
                          scratchpadByteCount: kernel.scratchpadByteCount) { try kernel.execute(source: $0, destination: $1, scratchpad: $2) }
        }
        let mismatches = Counter()
        DispatchQueue.concurrentPerform(iterations: 2) { thread in
            for _ in 0..<25 {
                let out = try? runKernel(source: inputs[thread], outputShape: kernel.outputShape, outputType: .float32,
                                         initial: nil, scratchpadByteCount: kernel.scratchpadByteCount) {
                    try kernel.execute(source: $0, destination: $1, scratchpad: $2)
                }
                if out.map({ !$0.isBitwiseEqual(to: expected[thread]) }) ?? true { mismatches.increment() }
            }
        }
        XCTAssertEqual(mismatches.value, 0, "concurrent runs that differed from a single call")
    }
}

/// A thread-safe count for the concurrency test.
private final class Counter: @unchecked Sendable {
    private let lock = NSLock()
    private var count = 0
    var value: Int { lock.lock(); defer { lock.unlock() }; return count }
    func increment() { lock.lock(); count += 1; lock.unlock() }
}
