// Float matmul through oneDNN against the reference Kernels.matMul (+ bias + residual +
// activation): broadcast batch dims, constant (plain and transposed) and runtime B.
// Tolerance: f32 1e-5 of the output magnitude; bf16 2e-2.

import EFCore
import EFKernels
import EFOneDNN
import EFTestSupport
import XCTest

final class DNNLMatMulTests: XCTestCase {
    static let shapes: [([Int], [Int])] = [
        ([5, 7], [7, 3]),
        ([1, 1], [1, 1]),
        ([2, 3, 5, 4], [3, 4, 6]),   // B broadcast over the leading batch dim
        ([1, 5, 4], [3, 4, 6]),      // A broadcast over the batch
        ([3, 1, 9, 17], [1, 2, 17, 33]),
        ([50, 96], [96, 40]),
    ]

    static func run(_ kernel: DNNLMatMul, _ a: Tensor, _ b: Tensor?, residual: Tensor?) throws -> Tensor {
        try runKernel(source: a, outputShape: kernel.outputShape, outputType: .float32, initial: residual,
                      scratchpadByteCount: kernel.scratchpadByteCount) { pa, pd, scratch in
            if let b {
                try b.withUnsafeBytes { try kernel.execute(a: pa, b: $0.baseAddress!, destination: pd, scratchpad: scratch) }
            } else {
                try kernel.execute(a: pa, b: nil, destination: pd, scratchpad: scratch)
            }
        }
    }

    enum BKind: CaseIterable { case constant, transposed, runtime }

    func check(_ aShape: [Int], _ bShape: [Int], kind: BKind, bias: Bool, residual: Bool,
               activation: (UnaryFunction, Float, Float)?, precision: DNNLPrecision = .f32, seed: UInt64) throws {
        var random = SeededValues(seed: seed)
        let a = random.floatTensor(aShape), b = random.floatTensor(bShape)
        let n = bShape[bShape.count - 1]
        let biasTensor = bias ? random.floatTensor([n]) : nil
        let operand: DNNLMatrixB
        switch kind {
        case .constant: operand = .constant(b)
        case .transposed:
            let perm = Array(0..<(bShape.count - 2)) + [bShape.count - 1, bShape.count - 2]
            operand = .constant(try Kernels.transpose(b, perm: perm), transposed: true)
        case .runtime: operand = .runtime
        }
        let act = activation.flatMap { DNNLActivation(unaryName: $0.0.rawValue, alpha: $0.1, beta: $0.2) }
        let kernel = try DNNLMatMul(shape: DNNLMatMulShape(a: aShape, b: bShape), b: operand, bias: biasTensor,
                                    epilogue: DNNLEpilogue(residualSum: residual, activation: act), precision: precision)
        var plain = try Kernels.matMul(a, b)
        if let biasTensor { plain = try Kernels.binary(.add, plain, biasTensor) }
        XCTAssertEqual(kernel.outputShape, plain.shape)
        let r = residual ? random.floatTensor(plain.shape) : nil
        let expected = try referenceEpilogue(plain, residual: r, activation: activation)
        let actual = try Self.run(kernel, a, kind == .runtime ? b : nil, residual: r)
        assertClose(actual, expected, relativeTolerance: precision == .f32 ? 1e-5 : 2e-2,
                    "\(aShape)·\(bShape) \(kind) bias \(bias) residual \(residual) \(precision) [\(kernel.implementation)]")
    }

    func testShapesAndOperandKinds() throws {
        for (index, (a, b)) in Self.shapes.enumerated() {
            for kind in BKind.allCases {
                try check(a, b, kind: kind, bias: false, residual: false, activation: nil, seed: UInt64(index))
                try check(a, b, kind: kind, bias: true, residual: true, activation: (.gelu, 0, 0), seed: UInt64(index + 20))
            }
        }
    }

    func testActivationsWithBias() throws {
        let activations: [(UnaryFunction, Float, Float)] = [(.relu, 0, 0), (.clip, 0, 6), (.sigmoid, 0, 0), (.geluTanh, 0, 0),
                                                            (.hardSigmoid, 0.2, 0.5), (.leakyRelu, 0.01, 0)]
        for (index, activation) in activations.enumerated() {
            try check([7, 12], [12, 9], kind: .constant, bias: true, residual: index % 2 == 0, activation: activation,
                      seed: UInt64(40 + index))
        }
    }

    func testBFloat16() throws {
        try XCTSkipUnless(DNNLEngine.supportsBF16, bf16SkipReason)
        for (index, (a, b)) in Self.shapes.enumerated() {
            for kind in BKind.allCases {
                try check(a, b, kind: kind, bias: true, residual: index % 2 == 1, activation: (.relu, 0, 0),
                          precision: .bf16, seed: UInt64(60 + index))
            }
        }
    }

    func testBadShapesThrowUnsupported() {
        for (a, b) in [([4], [4, 2]), ([3, 4], [5, 2]), ([2, 3, 4], [3, 4, 5]), ([0, 4], [4, 2])] {
            XCTAssertThrowsError(try DNNLMatMul(shape: DNNLMatMulShape(a: a, b: b), b: .runtime, bias: nil)) { error in
                XCTAssertEqual((error as? EdgeflowError)?.kind, .unsupported, "\(a)·\(b): \(error)")
            }
        }
        XCTAssertThrowsError(try DNNLMatMul(shape: DNNLMatMulShape(a: [2, 3], b: [3, 4]),
                                            b: .constant(Tensor(zeros: .float32, shape: [4, 3])), bias: nil)) { error in
            XCTAssertEqual((error as? EdgeflowError)?.kind, .invalidInput, "\(error)")
        }
    }

    func testLargerInOptimizedBuilds() throws {
        try XCTSkipUnless(TestData.isOptimizedBuild, "large products run only in optimized builds")
        try check([50, 768], [768, 3072], kind: .constant, bias: true, residual: false, activation: (.gelu, 0, 0), seed: 90)
        try check([4, 64, 96], [4, 96, 64], kind: .runtime, bias: false, residual: true, activation: nil, seed: 91)
    }
}
