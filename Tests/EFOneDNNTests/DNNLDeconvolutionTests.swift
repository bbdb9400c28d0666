// Float deconvolution (ONNX ConvTranspose) through oneDNN against the reference
// Kernels.convTranspose: strides, dilations, pads, output padding, groups, both layouts,
// with bias and a fused activation. Tolerance 1e-5 of the output magnitude.

import EFCore
import EFKernels
import EFOneDNN
import EFTestSupport
import XCTest

final class DNNLDeconvolutionTests: XCTestCase {
    static let shapes: [DNNLConvolutionShape] = [
        .init(batch: 1, inChannels: 3, outChannels: 4, inputSpatial: [5, 4], kernel: [3, 3], strides: [2, 2],
              padBegin: [1, 1], padEnd: [1, 1], outputPadding: [1, 0]),
        .init(batch: 2, inChannels: 4, outChannels: 6, inputSpatial: [3, 5], kernel: [2, 3], strides: [1, 2],
              dilations: [2, 1], padBegin: [0, 1], padEnd: [1, 0], groups: 2),
        .init(batch: 1, inChannels: 8, outChannels: 8, inputSpatial: [4, 4], kernel: [4, 4], strides: [2, 2],
              padBegin: [1, 1], padEnd: [1, 1], groups: 8),
        .init(batch: 1, inChannels: 2, outChannels: 3, inputSpatial: [7], kernel: [3], strides: [3], outputPadding: [2]),
    ]

    func testAgainstConvTranspose() throws {
        for (index, s) in Self.shapes.enumerated() {
            for layout in [DNNLLayout.nchw, .nhwc] {
                var random = SeededValues(seed: UInt64(index))
                let x = random.floatTensor([s.batch, s.inChannels] + s.inputSpatial)
                let w = random.floatTensor([s.inChannels, s.outChannels / s.groups] + s.kernel)
                let bias = random.floatTensor([s.outChannels])
                let parameters = ConvTransposeParameters(
                    ConvParameters(strides: s.strides, dilations: s.dilations, pads: s.padBegin + s.padEnd, group: s.groups),
                    outputPadding: s.outputPadding)
                let expected = try Kernels.unary(.relu, try Kernels.convTranspose(x, weight: w, bias: bias, parameters))
                let kernel = try DNNLDeconvolution(shape: s, layout: layout, weights: w, bias: bias,
                                                   epilogue: DNNLEpilogue(activation: .relu))
                XCTAssertEqual(kernel.outputShape, expected.shape, "\(s)")
                let channelsLast = layout == .nhwc
                let out = try runKernel(source: channelsLast ? try toChannelsLast(x) : x, outputShape: kernel.outputShape,
                                        outputType: .float32, initial: nil, scratchpadByteCount: kernel.scratchpadByteCount) {
                    try kernel.execute(source: $0, destination: $1, scratchpad: $2)
                }
                let actual = channelsLast ? try fromChannelsLast(out, logicalShape: kernel.outputShape) : out
                assertClose(actual, expected, relativeTolerance: 1e-5, "\(s) \(layout) [\(kernel.implementation)]")
            }
        }
    }
}
