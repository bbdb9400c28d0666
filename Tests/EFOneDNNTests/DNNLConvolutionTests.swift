// Float convolution through oneDNN against the reference Kernels.conv (NCHW; channels-last
// cases are transposed around it), with bias, residual sum and activations fused.
// Tolerance: f32 1e-5 of the output magnitude; bf16 2e-2 (8-bit mantissas on weights and source).

import EFCore
import EFKernels
import EFOneDNN
import EFTestSupport
import XCTest

/// One convolution case: shape plus whether it has bias.
struct ConvCase {
    var shape: DNNLConvolutionShape
    var bias = true

    var parameters: ConvParameters {
        ConvParameters(strides: shape.strides, dilations: shape.dilations, pads: shape.padBegin + shape.padEnd,
                       group: shape.groups)
    }
}

final class DNNLConvolutionTests: XCTestCase {
    static let cases: [ConvCase] = [
        ConvCase(shape: .init(batch: 1, inChannels: 3, outChannels: 5, inputSpatial: [7, 6], kernel: [3, 3],
                              padBegin: [1, 1], padEnd: [1, 1])),
        ConvCase(shape: .init(batch: 2, inChannels: 4, outChannels: 6, inputSpatial: [9, 8], kernel: [3, 2],
                              strides: [2, 1], dilations: [1, 2], padBegin: [0, 1], padEnd: [2, 0]), bias: false),
        ConvCase(shape: .init(batch: 1, inChannels: 8, outChannels: 8, inputSpatial: [6, 7], kernel: [3, 3],
                              strides: [2, 2], padBegin: [1, 1], padEnd: [1, 1], groups: 8)),  // depthwise
        ConvCase(shape: .init(batch: 2, inChannels: 6, outChannels: 9, inputSpatial: [5, 5], kernel: [1, 1],
                              groups: 3)),
        ConvCase(shape: .init(batch: 1, inChannels: 17, outChannels: 19, inputSpatial: [5, 4], kernel: [3, 3],
                              dilations: [2, 2], padBegin: [2, 1], padEnd: [2, 1])),
        ConvCase(shape: .init(batch: 1, inChannels: 3, outChannels: 4, inputSpatial: [11], kernel: [4], strides: [3],
                              padBegin: [2], padEnd: [1])),  // 1-D
        ConvCase(shape: .init(batch: 1, inChannels: 2, outChannels: 3, inputSpatial: [4, 5, 3], kernel: [2, 3, 2],
                              padBegin: [1, 0, 1], padEnd: [0, 1, 0])),  // 3-D
        // strided 1×1: channels-last runs them at stride 1 on the gathered pixels
        ConvCase(shape: .init(batch: 2, inChannels: 16, outChannels: 24, inputSpatial: [9, 7], kernel: [1, 1],
                              strides: [2, 3])),
        ConvCase(shape: .init(batch: 1, inChannels: 8, outChannels: 12, inputSpatial: [6, 6], kernel: [1, 1],
                              strides: [2, 2], groups: 4), bias: false),
    ]

    /// Runs `kernel` on `x` (logical NCHW) in `layout`; returns the logical NCHW result.
    static func run(_ kernel: DNNLConvolution, _ x: Tensor, residual: Tensor?) throws -> Tensor {
        let channelsLast = kernel.layout == .nhwc
        let source = channelsLast ? try toChannelsLast(x) : x
        let initial = try residual.map { channelsLast ? try toChannelsLast($0) : $0 }
        let out = try runKernel(source: source, outputShape: kernel.outputShape, outputType: .float32, initial: initial,
                                scratchpadByteCount: kernel.scratchpadByteCount) {
            try kernel.execute(source: $0, destination: $1, scratchpad: $2)
        }
        return channelsLast ? try fromChannelsLast(out, logicalShape: kernel.outputShape) : out
    }

    func check(_ c: ConvCase, layout: DNNLLayout, activation: (UnaryFunction, Float, Float)?, residual: Bool,
               precision: DNNLPrecision = .f32, seed: UInt64) throws {
        var random = SeededValues(seed: seed)
        let s = c.shape
        let x = random.floatTensor([s.batch, s.inChannels] + s.inputSpatial)
        let w = random.floatTensor([s.outChannels, s.inChannels / s.groups] + s.kernel)
        let bias = c.bias ? random.floatTensor([s.outChannels]) : nil
        let act = activation.flatMap { DNNLActivation(unaryName: $0.0.rawValue, alpha: $0.1, beta: $0.2) }
        XCTAssertEqual(act == nil, activation == nil, "\(String(describing: activation)) should be fusable")
        let kernel = try DNNLConvolution(shape: s, layout: layout, weights: w, bias: bias,
                                         epilogue: DNNLEpilogue(residualSum: residual, activation: act),
                                         precision: precision)
        let plain = try Kernels.conv(x, weight: w, bias: bias, c.parameters)
        XCTAssertEqual(kernel.outputShape, plain.shape)
        let r = residual ? random.floatTensor(plain.shape) : nil
        let expected = try referenceEpilogue(plain, residual: r, activation: activation)
        let actual = try Self.run(kernel, x, residual: r)
        assertClose(actual, expected, relativeTolerance: precision == .f32 ? 1e-5 : 2e-2,
                    "\(s.description) \(layout) \(precision) \(String(describing: activation)) residual \(residual) "
                        + "[\(kernel.implementation)]")
    }

    func testShapesInBothLayouts() throws {
        for (index, c) in Self.cases.enumerated() {
            for layout in [DNNLLayout.nchw, .nhwc] {
                try check(c, layout: layout, activation: nil, residual: false, seed: UInt64(index))
                try check(c, layout: layout, activation: (.relu, 0, 0), residual: true, seed: UInt64(index + 50))
            }
        }
    }

    /// A strided, unpadded 1×1 conv in channels-last gathers its pixels and runs at stride 1
    /// (`testShapesInBothLayouts` checks its values); padded, channels-first or larger kernels do not.
    func testStridedOneByOneGathersOnlyInChannelsLast() throws {
        var random = SeededValues(seed: 7)
        func implementation(_ shape: DNNLConvolutionShape, _ layout: DNNLLayout) throws -> String {
            let weights = random.floatTensor([shape.outChannels, shape.inChannels / shape.groups] + shape.kernel)
            return try DNNLConvolution(shape: shape, layout: layout, weights: weights, bias: nil).implementation
        }
        let strided = DNNLConvolutionShape(batch: 1, inChannels: 16, outChannels: 8, inputSpatial: [8, 8],
                                           kernel: [1, 1], strides: [2, 2])
        XCTAssertTrue(try implementation(strided, .nhwc).hasSuffix(" + gather"))
        XCTAssertFalse(try implementation(strided, .nchw).hasSuffix(" + gather"))
        var padded = strided
        (padded.padBegin, padded.padEnd) = ([1, 1], [1, 1])
        XCTAssertFalse(try implementation(padded, .nhwc).hasSuffix(" + gather"))
        var unstrided = strided
        unstrided.strides = [1, 1]
        XCTAssertFalse(try implementation(unstrided, .nhwc).hasSuffix(" + gather"))
    }

    func testEveryFusedActivation() throws {
        let activations: [(UnaryFunction, Float, Float)] = [
            (.relu, 0, 0), (.leakyRelu, 0.1, 0), (.clip, -0.5, 0.7), (.sigmoid, 0, 0), (.tanh, 0, 0), (.gelu, 0, 0),
            (.geluTanh, 0, 0), (.hardSwish, 0, 0), (.hardSigmoid, 0.3, 0.4), (.elu, 0.8, 0),
        ]
        for (index, activation) in activations.enumerated() {
            for residual in [false, true] {
                try check(Self.cases[0], layout: index % 2 == 0 ? .nchw : .nhwc, activation: activation,
                          residual: residual, seed: UInt64(100 + index))
            }
        }
    }

    func testUnfusableActivationNamesGiveNil() {
        XCTAssertNil(DNNLActivation(unaryName: "softplus"))
        XCTAssertNil(DNNLActivation(unaryName: "identity"))
        XCTAssertEqual(DNNLActivation(unaryName: "clip", alpha: -1, beta: 6), .clip(lower: -1, upper: 6))
    }

    func testBFloat16() throws {
        try XCTSkipUnless(DNNLEngine.supportsBF16, bf16SkipReason)
        for (index, c) in Self.cases.prefix(5).enumerated() {
            for layout in [DNNLLayout.nchw, .nhwc] {
                try check(c, layout: layout, activation: (.relu, 0, 0), residual: index % 2 == 0, precision: .bf16,
                          seed: UInt64(200 + index))
            }
        }
    }

    func testBFloat16IsRefusedCleanlyWithoutHardwareSupport() throws {
        try XCTSkipIf(DNNLEngine.supportsBF16, "this machine has oneDNN bf16 kernels; testBFloat16 covers them")
        let c = Self.cases[0].shape
        let weights = Tensor(zeros: .float32, shape: [5, 3, 3, 3])
        XCTAssertThrowsError(try DNNLConvolution(shape: c, layout: .nhwc, weights: weights, bias: nil,
                                                 precision: .bf16)) { error in
            XCTAssertEqual((error as? EdgeflowError)?.kind, .unsupported, "\(error)")
        }
    }

    func testLargerSweepInOptimizedBuilds() throws {
        try XCTSkipUnless(TestData.isOptimizedBuild, "model-sized convolutions run only in optimized builds "
                          + "(debug reference kernels are 10–50× slower)")
        let big = [
            DNNLConvolutionShape(batch: 2, inChannels: 64, outChannels: 64, inputSpatial: [28, 28], kernel: [3, 3],
                                 padBegin: [1, 1], padEnd: [1, 1]),
            DNNLConvolutionShape(batch: 1, inChannels: 96, outChannels: 96, inputSpatial: [31, 29], kernel: [5, 5],
                                 strides: [2, 2], padBegin: [2, 2], padEnd: [2, 2], groups: 96),
            DNNLConvolutionShape(batch: 3, inChannels: 3, outChannels: 32, inputSpatial: [65, 63], kernel: [7, 7],
                                 strides: [2, 2], padBegin: [3, 3], padEnd: [3, 3]),
        ]
        for (index, shape) in big.enumerated() {
            for layout in [DNNLLayout.nchw, .nhwc] {
                try check(ConvCase(shape: shape), layout: layout, activation: (.hardSwish, 0, 0), residual: true,
                          seed: UInt64(300 + index))
                if DNNLEngine.supportsBF16 {
                    try check(ConvCase(shape: shape), layout: layout, activation: nil, residual: false,
                              precision: .bf16, seed: UInt64(310 + index))
                }
            }
        }
    }
}
