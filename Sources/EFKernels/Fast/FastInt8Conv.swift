// An exact int8 convolution on the SIMD GEMM (FastInt8GEMM.swift): per image and group, the
// u8 input is unfolded (im2col, rows = output pixels, columns = kernel taps × C/group, padding =
// the input zero point), multiplied by the packed weights into int32 accumulators with the
// output channel fastest, and (channels-first output) transposed into planes. A 1×1, stride-1,
// unpadded channels-last conv reads the input directly. The zero point leaves the products as
// −zp·Σw per output channel, which `compensatedBias` folds into the bias. An ungrouped conv
// can hand its column matrix to another exact int8 GEMM (`ColumnProduct`, e.g. oneDNN's), or run
// block by block of output pixels (FastInt8ConvBlocks.swift).

import CInt8Kernels
import EFCore

/// An int8 convolution (u8 x with a zero point, s8 weights) with its weights packed once.
public final class Int8Convolution: @unchecked Sendable {
    /// An exact u8·s8 → s32 product replacing the SIMD GEMM of an ungrouped conv: `columns` is
    /// [rows, K] u8 with row stride `rowStride` (K = kernel taps · C), its weights are
    /// `columnWeights(group: 0)`, and it writes int32 [rows, M] densely to `accumulators`
    /// without adding bias or subtracting the zero point.
    public typealias ColumnProduct = (_ columns: UnsafePointer<UInt8>, _ rowStride: Int, _ rows: Int,
                                      _ accumulators: UnsafeMutablePointer<Int32>) throws -> Void

    public let batch: Int
    public let inChannels: Int
    public let outChannels: Int
    public let group: Int
    /// Output spatial dims (1 to 3).
    public let outputSpatial: [Int]
    /// Input and output are [N, spatial..., C]; otherwise [N, C, spatial...].
    public let channelsLast: Bool
    public let zeroPoint: Int32
    /// bias[m] − zp·Σ w[m] (wrapping): add it to the accumulators `accumulate` writes.
    public let compensatedBias: [Int32]
    /// Bytes of scratch `accumulate` needs (64-byte aligned offsets inside).
    public let scratchpadByteCount: Int
    /// group = C = M: `accumulate` runs the direct depthwise kernel, not a GEMM per group.
    public let isDepthwise: Bool
    /// Whether the conv runs as a Winograd F(m×m, 3×3) (`accumulate` and `forEachBlock` then take
    /// no column product).
    public var usesWinograd: Bool { winograd != nil }
    /// Its tile side m, or nil.
    public var winogradTile: Int? { winograd?.tile }
    /// Output pixels per image.
    public var outputPixels: Int { geometry.outputVolume }

    let geometry: WindowGeometry
    private let weights: [Int8PackedWeights]
    private let originalWeights: Tensor
    let direct: Bool
    /// The window as CInt8Kernels takes it (channels = C, this conv's layout): the depthwise
    /// kernel's and the channels-last im2col's.
    private let window: ef_depthwise_geometry
    /// Depthwise only: the weights tap-major, int8 [taps, M].
    private let depthwiseWeights: [Int8]
    private let columnBytes: Int
    let winograd: Int8Winograd?

    /// - Parameters:
    ///   - inputShape: logical [N, C, spatial...] (1 to 3 spatial dims).
    ///   - weights: int8 [M, C/group, kernel...]; bias nil or int32 [M]; zeroPoint 0...255.
    ///   - winograd: run a 3×3 stride-1 conv as Winograd F(m×m, 3×3) where `Int8Winograd` takes
    ///     it and the process has it (`Int8Winograd.isAvailable`); the accumulators are the same.
    ///   - winogradTiles: the tile sides m allowed (tests and benchmarks pick one).
    /// - Throws: `EdgeflowError.invalidInput` for inconsistent shapes, parameters or sizes
    ///   beyond 2^34 bytes of scratch.
    public init(inputShape: [Int], weights: Tensor, bias: Tensor?, zeroPoint: Int32, _ parameters: ConvParameters,
                channelsLast: Bool, winograd: Bool = false, winogradTiles: [Int] = Int8Winograd.tileSizes) throws {
        let s = try Kernels.convShapes(inputShape, weights.shape, bias?.shape, parameters, op: "int8 conv")
        guard weights.dtype == .int8, bias.map({ $0.dtype == .int32 }) ?? true, (0...255).contains(zeroPoint) else {
            throw EdgeflowError(.invalidInput, "int8 conv needs int8 weights, int32 bias and a zero point in 0...255")
        }
        try Kernels.checkColumnBuffer(s, op: "int8 conv")
        let g = s.geometry
        (batch, inChannels, outChannels, group) = (s.batch, s.inChannels, s.outChannels, s.group)
        (geometry, outputSpatial, self.channelsLast, self.zeroPoint) = (g, g.outputSpatial, channelsLast, zeroPoint)
        let (cg, mg, taps) = (s.inPerGroup, s.outPerGroup, g.kernelVolume)
        direct = channelsLast && taps == 1 && g.strides.allSatisfy { $0 == 1 }
            && (g.padBegin + g.padEnd).allSatisfy { $0 == 0 }
        originalWeights = weights
        let depthwise = s.group == s.inChannels && s.group == s.outChannels
        isDepthwise = depthwise
        let w = weights.scalars(as: Int8.self), m = s.outChannels
        depthwiseWeights = depthwise ? (0..<(taps * m)).map { w[($0 % m) * taps + $0 / m] } : []
        window = Self.cWindow(g, channels: s.inChannels, channelsLast: channelsLast, zeroPoint: zeroPoint)
        let transformed = winograd && Int8Winograd.isAvailable
            ? Int8Winograd(g, inChannels: s.inChannels, outChannels: m, group: s.group, channelsLast: channelsLast,
                           zeroPoint: zeroPoint, weights: weights, tiles: winogradTiles) : nil
        self.winograd = transformed
        var packed: [Int8PackedWeights] = []  // the GEMM's (none for a depthwise or Winograd conv)
        try weights.withUnsafeBufferPointer(as: Int8.self) { w in
            for gi in 0..<(depthwise || transformed != nil ? 0 : s.group) {
                // Column kk = tap · C/group + c (the im2col order); row j = output channel gi·M/group + j.
                packed.append(try Int8PackedWeights(k: taps * cg, n: mg) { kk, j in
                    w[((gi * mg + j) * cg + kk % cg) * taps + kk / cg]
                })
            }
        }
        self.weights = packed
        let perChannel = cg * taps  // output channel j's weights are w[j · perChannel ..< (j + 1) · perChannel]
        let sums = (0..<m).map { j in w[(j * perChannel)..<((j + 1) * perChannel)].reduce(0) { $0 &+ Int32($1) } }
        let b = bias?.scalars(as: Int32.self) ?? [Int32](repeating: 0, count: m)
        compensatedBias = (0..<m).map { b[$0] &- zeroPoint &* sums[$0] }
        let pixels = g.outputVolume
        if let winograd = self.winograd {
            columnBytes = Parallel.maxThreadCount * winograd.scratchByteCount
        } else {
            columnBytes = direct || depthwise ? 0 : (pixels * taps * cg + 63) / 64 * 64
        }
        let accumulatorBytes = (pixels * m * 4 + 63) / 64 * 64
        // The depthwise kernel writes either layout itself; im2col GEMMs write [pixels, M] first.
        scratchpadByteCount = columnBytes + accumulatorBytes * (channelsLast || depthwise ? 1 : 2)
        guard scratchpadByteCount < 1 << 34 else {
            throw EdgeflowError(.invalidInput, "int8 conv would need \(scratchpadByteCount) bytes of scratch")
        }
    }

    /// The weights of group `group` as the GEMM sees them: int8 [K, M/group], K = kernel taps ·
    /// C/group in the im2col order (tap-major, channel fastest).
    public func columnWeights(group gi: Int) -> Tensor {
        let cg = inChannels / group, mg = outChannels / group, taps = geometry.kernelVolume
        let w = originalWeights.scalars(as: Int8.self)
        var out = [Int8](repeating: 0, count: taps * cg * mg)
        for kk in 0..<(taps * cg) {
            for j in 0..<mg { out[kk * mg + j] = w[((gi * mg + j) * cg + kk % cg) * taps + kk / cg] }
        }
        return Tensor(shape: [taps * cg, mg], scalars: out)
    }

    /// The int32 accumulators (without bias) of image `image`: [pixels, M] when channelsLast,
    /// else [M, pixels], in `scratchpad` (`scratchpadByteCount` bytes, 64-byte aligned).
    /// - Parameters:
    ///   - x: the whole u8 input in this conv's layout.
    ///   - product: the GEMM to use instead of the SIMD one (ungrouped convs only; unused when
    ///     the conv runs as a Winograd).
    /// - Returns: where the accumulators are (inside `scratchpad`).
    /// - Throws: `EdgeflowError.invalidInput` for an image index out of range or a product
    ///   given to a grouped conv; what `product` throws.
    public func accumulate(_ x: UnsafePointer<UInt8>, image: Int, scratchpad: UnsafeMutableRawPointer,
                           product: ColumnProduct? = nil) throws -> UnsafeMutablePointer<Int32> {
        guard (0..<batch).contains(image) else {
            throw EdgeflowError(.invalidInput, "int8 conv: image \(image) of \(batch)")
        }
        guard product == nil || group == 1 else {
            throw EdgeflowError(.invalidInput, "int8 conv: an external product needs an ungrouped conv")
        }
        let pixels = geometry.outputVolume, k = geometry.kernelVolume * inChannels / group
        let columns = scratchpad.assumingMemoryBound(to: UInt8.self)
        let accumulators = (scratchpad + columnBytes).assumingMemoryBound(to: Int32.self)
        let image0 = x + image * inChannels * geometry.inputVolume
        if let winograd {
            winograd.runImage(image0, into: accumulators, scratch: scratchpad)
            return accumulators
        } else if let product {
            if direct {
                try product(image0, inChannels, pixels, accumulators)
            } else {
                unfold(image0, group: 0, pixels: 0..<pixels, into: columns)
                try product(columns, k, pixels, accumulators)
            }
        } else if isDepthwise {
            accumulateDepthwise(image0, into: accumulators)
            return accumulators
        } else {
            try accumulateSIMD(image0, columns: columns, into: accumulators)
        }
        if channelsLast { return accumulators }
        let planes = (scratchpad + columnBytes + (pixels * outChannels * 4 + 63) / 64 * 64)
            .assumingMemoryBound(to: Int32.self)
        let m = outChannels
        Parallel.forEachChunk(m, grain: max(1, 4096 / max(1, pixels))) { range in
            for channel in range {
                for p in 0..<pixels { planes[channel * pixels + p] = accumulators[p * m + channel] }
            }
        }
        return planes
    }

    /// Window `g` as CInt8Kernels' depthwise kernel and im2col take it (3 spatial dims, as
    /// WindowGeometry keeps them), with `channels` channels.
    private static func cWindow(_ g: WindowGeometry, channels: Int, channelsLast: Bool,
                                zeroPoint: Int32) -> ef_depthwise_geometry {
        func triple(_ v: [Int]) -> (Int64, Int64, Int64) { (Int64(v[0]), Int64(v[1]), Int64(v[2])) }
        var window = ef_depthwise_geometry()
        window.channels = Int64(channels)
        (window.input, window.output, window.kernel) = (triple(g.input), triple(g.output), triple(g.kernel))
        (window.strides, window.dilations) = (triple(g.strides), triple(g.dilations))
        window.pad_begin = triple(g.padBegin)
        window.channels_last = channelsLast ? 1 : 0
        window.fill = UInt8(zeroPoint)
        return window
    }

    /// One input channel per output channel: the direct depthwise kernel of CInt8Kernels writes
    /// the accumulators in this conv's layout ([pixels, M] or [M, pixels]), parallel over
    /// channels (channels first) or output rows (channels last).
    private func accumulateDepthwise(_ image0: UnsafePointer<UInt8>, into target: UnsafeMutablePointer<Int32>) {
        let unitSize = channelsLast ? geometry.output[2] * outChannels : geometry.outputVolume
        let grain = max(1, 32_768 / max(1, geometry.kernelVolume * unitSize))
        Parallel.forEachChunk(depthwiseUnits, grain: grain) { range in
            depthwiseUnits(image0, range, into: target + range.lowerBound * unitSize)
        }
    }

    /// The depthwise work units (output rows when channels last, channels otherwise).
    var depthwiseUnits: Int { Int(withUnsafePointer(to: window) { ef_depthwise_units($0) }) }

    /// The accumulators of depthwise work units `units`, written from `target` on (the first
    /// unit's first accumulator).
    func depthwiseUnits(_ image0: UnsafePointer<UInt8>, _ units: Range<Int>, into target: UnsafeMutablePointer<Int32>) {
        depthwiseWeights.withUnsafeBufferPointer { w in
            withUnsafePointer(to: window) { window in
                ef_qu8s8_s32_depthwise(image0, w.baseAddress!, target, window, Int64(units.lowerBound),
                                       Int64(units.upperBound))
            }
        }
    }

    /// Every group's columns through the SIMD GEMM into [pixels, M] accumulators.
    private func accumulateSIMD(_ image0: UnsafePointer<UInt8>, columns: UnsafeMutablePointer<UInt8>,
                                into accumulators: UnsafeMutablePointer<Int32>) throws {
        let pixels = geometry.outputVolume, cg = inChannels / group, mg = outChannels / group
        let k = geometry.kernelVolume * cg
        for gi in 0..<group {
            if direct {
                try FastKernels.int8GEMM(image0 + gi * cg, rowStride: inChannels, rows: pixels, weights: weights[gi],
                                         into: accumulators + gi * mg, outputRowStride: outChannels)
            } else {
                unfold(image0, group: gi, pixels: 0..<pixels, into: columns)
                try FastKernels.int8GEMM(columns, rowStride: k, rows: pixels, weights: weights[gi],
                                         into: accumulators + gi * mg, outputRowStride: outChannels)
            }
        }
    }

    /// im2col of one image and group for output pixels `pixels`: row p − pixels.lowerBound holds,
    /// per kernel tap, the C/group input values pixel p sees (the zero point where the tap falls
    /// in the padding).
    func unfold(_ x: UnsafePointer<UInt8>, group gi: Int, pixels: Range<Int>,
                into columns: UnsafeMutablePointer<UInt8>) {
        let g = geometry, cg = inChannels / group, taps = g.kernelVolume, k = taps * cg
        let (inD, inH, inW) = (g.input[0], g.input[1], g.input[2])
        let (outH, outW) = (g.output[1], g.output[2])
        let (kernelD, kernelH, kernelW) = (g.kernel[0], g.kernel[1], g.kernel[2])
        let (strideD, strideH, strideW) = (g.strides[0], g.strides[1], g.strides[2])
        let (dilationD, dilationH, dilationW) = (g.dilations[0], g.dilations[1], g.dilations[2])
        let (padD, padH, padW) = (g.padBegin[0], g.padBegin[1], g.padBegin[2])
        let plane = g.inputVolume, fill = UInt8(zeroPoint), c = inChannels, last = channelsLast
        let grain = max(1, 16_384 / max(1, k))
        if last && group == 1 {  // CInt8Kernels' loop: a kernel row inside the input is one copy
            withUnsafePointer(to: window) { window in
                Parallel.forEachChunk(pixels.count, grain: grain) { range in
                    ef_qu8_unfold_nhwc(x, window, Int64(pixels.lowerBound + range.lowerBound),
                                       Int64(pixels.lowerBound + range.upperBound), columns + range.lowerBound * k)
                }
            }
            return
        }
        Parallel.forEachChunk(pixels.count, grain: grain) { range in
            let p0 = pixels.lowerBound + range.lowerBound
            var (od, oh, ow) = (p0 / (outH * outW), (p0 / outW) % outH, p0 % outW)
            for q in range {
                var row = columns + q * k
                let iw0 = ow * strideW - padW
                for kd in 0..<kernelD {
                    let id = od * strideD - padD + kd * dilationD
                    for kh in 0..<kernelH {
                        let ih = oh * strideH - padH + kh * dilationH
                        let rowInside = id >= 0 && id < inD && ih >= 0 && ih < inH
                        for kw in 0..<kernelW {
                            let iw = iw0 + kw * dilationW
                            if !rowInside || iw < 0 || iw >= inW {
                                for ci in 0..<cg { row[ci] = fill }
                            } else if last {
                                copyBytes(x + ((id * inH + ih) * inW + iw) * c + gi * cg, to: row, count: cg)
                            } else {
                                let at = x + gi * cg * plane + (id * inH + ih) * inW + iw
                                for ci in 0..<cg { row[ci] = at[ci * plane] }
                            }
                            row += cg
                        }
                    }
                }
                ow += 1
                if ow == outW {
                    ow = 0
                    oh += 1
                    if oh == outH { (oh, od) = (0, od + 1) }
                }
            }
        }
    }

    /// memcpy for the per-tap runs of a grouped channels-last input: a byte loop below 16 bytes.
    @inline(__always)
    private func copyBytes(_ source: UnsafePointer<UInt8>, to target: UnsafeMutablePointer<UInt8>, count: Int) {
        if count < 16 {
            for i in 0..<count { target[i] = source[i] }
        } else {
            target.update(from: source, count: count)
        }
    }
}
