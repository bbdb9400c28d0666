// The geometry of a convolution or deconvolution in ONNX conventions (dilation 1 = dense,
// pads split into begin and end), checked and translated into what oneDNN takes.

import EFCore

/// Shape of a (transposed) convolution over 1–3 spatial dims. Empty strides, dilations and
/// pads mean the ONNX defaults (1, 1, 0).
public struct DNNLConvolutionShape: Sendable, Equatable, CustomStringConvertible {
    public var batch: Int
    /// Channels of the source (C).
    public var inChannels: Int
    /// Channels of the destination (M).
    public var outChannels: Int
    /// Spatial dims of the source, e.g. [H, W].
    public var inputSpatial: [Int]
    public var kernel: [Int]
    public var strides: [Int]
    /// ONNX convention: 1 = no dilation.
    public var dilations: [Int]
    public var padBegin: [Int]
    public var padEnd: [Int]
    /// Groups; C and M must both be divisible by it (C = M = groups is depthwise).
    public var groups: Int
    /// Deconvolution only: extra size at the end of each output dim (ONNX output_padding).
    public var outputPadding: [Int]

    public init(batch: Int, inChannels: Int, outChannels: Int, inputSpatial: [Int], kernel: [Int],
                strides: [Int] = [], dilations: [Int] = [], padBegin: [Int] = [], padEnd: [Int] = [],
                groups: Int = 1, outputPadding: [Int] = []) {
        self.batch = batch
        self.inChannels = inChannels
        self.outChannels = outChannels
        self.inputSpatial = inputSpatial
        self.kernel = kernel
        self.strides = strides
        self.dilations = dilations
        self.padBegin = padBegin
        self.padEnd = padEnd
        self.groups = groups
        self.outputPadding = outputPadding
    }

    var rank: Int { inputSpatial.count }

    private func filled(_ values: [Int], _ fill: Int) -> [Int] {
        values.isEmpty ? [Int](repeating: fill, count: rank) : values
    }

    /// Checks every field and returns the full geometry with the output spatial dims of a
    /// convolution (`transposed` false) or deconvolution.
    /// - Throws: `EdgeflowError.unsupported` naming the shape and the reason.
    func resolved(transposed: Bool) throws -> ResolvedConvolution {
        let what = transposed ? "deconvolution" : "convolution"
        func fail(_ reason: String) -> EdgeflowError {
            EdgeflowError(.unsupported, "oneDNN \(what) \(self.description): \(reason)",
                          hint: "run this op with the reference kernel")
        }
        guard (1...3).contains(rank) else { throw fail("needs 1 to 3 spatial dims") }
        let s = filled(strides, 1), d = filled(dilations, 1), pb = filled(padBegin, 0), pe = filled(padEnd, 0)
        let op = filled(outputPadding, 0)
        guard [kernel, s, d, pb, pe, op].allSatisfy({ $0.count == rank }) else {
            throw fail("kernel, strides, dilations, pads and output padding need one entry per spatial dim")
        }
        let limit = 1 << 24
        guard batch >= 1, inChannels >= 1, outChannels >= 1, groups >= 1,
              (inputSpatial + kernel + s + d).allSatisfy({ (1...limit).contains($0) }),
              (pb + pe + op).allSatisfy({ (0...limit).contains($0) }), [batch, inChannels, outChannels].allSatisfy({ $0 <= limit })
        else { throw fail("sizes must be ≥ 1 (pads ≥ 0) and at most 2^24") }
        guard inChannels % groups == 0, outChannels % groups == 0 else {
            throw fail("channels \(inChannels) → \(outChannels) are not divisible by \(groups) groups")
        }
        var output: [Int] = []
        for a in 0..<rank {
            let dilated = (kernel[a] - 1) * d[a] + 1
            if transposed {
                guard op[a] < max(s[a], d[a]) else { throw fail("output padding must be < stride or dilation") }
                output.append(s[a] * (inputSpatial[a] - 1) + op[a] + dilated - pb[a] - pe[a])
            } else {
                let span = inputSpatial[a] + pb[a] + pe[a] - dilated
                output.append(span < 0 ? 0 : span / s[a] + 1)
            }
        }
        guard output.allSatisfy({ $0 >= 1 }) else { throw fail("the output would be empty") }
        let volume = [batch, max(inChannels, outChannels)] + inputSpatial.indices.map { max(inputSpatial[$0], output[$0]) }
        guard volume.allSatisfy({ $0 <= limit }), volume.reduce(1.0, { $0 * Double($1) }) < Double(1 << 40) else {
            throw fail("tensors would exceed 2^40 elements")
        }
        // oneDNN's deconvolution takes the pad it removes at the end of the output to include output padding.
        let padEnd = transposed ? zip(pe, op).map { $0 - $1 } : pe
        return ResolvedConvolution(shape: self, outputSpatial: output,
                                   window: .init(strides: s, dilations: d.map { $0 - 1 }, padBegin: pb, padEnd: padEnd))
    }

    public var description: String {
        "N\(batch) C\(inChannels)→M\(outChannels) in \(inputSpatial) kernel \(kernel) strides \(strides) "
            + "dilations \(dilations) pads \(padBegin)/\(padEnd) groups \(groups)"
    }
}

/// A checked geometry with the oneDNN dims and layouts derived from it.
struct ResolvedConvolution {
    let shape: DNNLConvolutionShape
    let outputSpatial: [Int]
    let window: PrimitiveDescriptor.Window

    var sourceDims: [Int] { [shape.batch, shape.inChannels] + shape.inputSpatial }
    var destinationDims: [Int] { [shape.batch, shape.outChannels] + outputSpatial }

    /// Physical order of an activation tensor of this rank in `layout`.
    func order(_ layout: DNNLLayout) -> [Int] {
        let spatial = Array(2..<(2 + shape.rank))
        return layout == .nchw ? [0, 1] + spatial : [0] + spatial + [1]
    }

    /// oneDNN's weight dims ([G, O/G, I/G, k...] with groups, [O, I, k...] without) and the
    /// physical order of the ONNX weight buffer in them: conv weights are [M, C/G, k...];
    /// deconv weights are [C, M/G, k...], i.e. input channels outermost.
    func weights(transposed: Bool) -> (dims: [Int], order: [Int]) {
        let g = shape.groups, o = shape.outChannels, i = shape.inChannels
        let grouped = g > 1
        let dims = (grouped ? [g] : []) + [o / g, i / g] + shape.kernel
        let lead = grouped ? 1 : 0
        let kernelAxes = Array((lead + 2)..<dims.count)
        let channelAxes = transposed ? [lead + 1, lead] : [lead, lead + 1]
        return (dims, (grouped ? [0] : []) + channelAxes + kernelAxes)
    }
}
