// Fast float32 max and average pooling over 2 spatial dims, in NCHW or NHWC (channels-last)
// layout, and global average pooling. The plan holds, per output row and column, the kernel
// taps that fall inside the input (and, for count_include_pad, inside the padded input).
// NCHW reduces the window's rows into one vector row first, then walks the columns; NHWC
// accumulates whole channel vectors per tap.

import EFCore

/// Where channels sit in a 4-D activation.
public enum FastLayout: String, Sendable {
    /// [N, C, H, W]
    case nchw
    /// [N, H, W, C] (channels-last)
    case nhwc
}

extension FastKernels {
    /// True when `PoolPlan` handles `parameters` for an input of `rank`: max or avg over 2
    /// spatial dims (any kernel, strides, dilations, pads, ceil mode, count_include_pad).
    public static func supportsPool(_ parameters: PoolParameters, rank: Int) -> Bool {
        rank == 4 && parameters.kernel.count == 2 && parameters.kind != .lp
    }

    /// A 2-D pooling over fixed shapes; build once, run many times (`run` allocates no heap memory).
    public struct PoolPlan: Sendable {
        public let layout: FastLayout
        public let isMax: Bool
        /// [N, C, H, W] or [N, H, W, C] as `layout` says.
        public let inputShape: [Int]
        public let outputShape: [Int]
        let batch: Int, channels: Int, height: Int, width: Int, outHeight: Int, outWidth: Int
        let strideW: Int, dilationH: Int, dilationW: Int, padLeft: Int
        /// Per output row: first input row, valid taps lo..<hi, taps inside the padded input.
        let rows: [(start: Int, lo: Int, hi: Int, padded: Int)]
        let columns: [(start: Int, lo: Int, hi: Int, padded: Int)]
        let countIncludePad: Bool

        /// - Parameters: `inputShape` in `layout`; `parameters` as `Kernels.pool` takes them.
        /// - Throws: `EdgeflowError.unsupported` when `supportsPool` is false; `.invalidInput`
        ///   for parameters `Kernels.pool` rejects.
        public init(_ parameters: PoolParameters, inputShape: [Int], layout: FastLayout) throws {
            guard supportsPool(parameters, rank: inputShape.count) else {
                throw EdgeflowError(.unsupported,
                    "FastKernels.pool handles 2-D max/avg pooling, got \(parameters.kind.rawValue) over "
                        + "\(inputShape.shapeDescription)", hint: "use Kernels.pool")
            }
            let (n, c, h, w) = layout == .nchw ? (inputShape[0], inputShape[1], inputShape[2], inputShape[3])
                                               : (inputShape[0], inputShape[3], inputShape[1], inputShape[2])
            let g = try Kernels.poolGeometry([h, w], parameters)
            self.layout = layout
            isMax = parameters.kind == .max
            self.inputShape = inputShape
            (batch, channels, height, width) = (n, c, h, w)
            (outHeight, outWidth) = (g.output[1], g.output[2])
            outputShape = layout == .nchw ? [n, c, outHeight, outWidth] : [n, outHeight, outWidth, c]
            (strideW, dilationH, dilationW, padLeft) = (g.strides[2], g.dilations[1], g.dilations[2], g.padBegin[2])
            func taps(_ a: Int) -> [(start: Int, lo: Int, hi: Int, padded: Int)] {
                (0..<g.output[a]).map { o in
                    let t = g.validTaps(axis: a, output: o)
                    let p = g.validTaps(axis: a, output: o, lowerLimit: -g.padBegin[a], limit: g.input[a] + g.padEnd[a])
                    return (o * g.strides[a] - g.padBegin[a], t.lo, t.hi, p.hi - p.lo)
                }
            }
            rows = taps(1)
            columns = taps(2)
            countIncludePad = parameters.countIncludePad
        }

        /// Pools `input` (`inputShape`) into `output` (`outputShape`); distinct buffers.
        public func run(input: UnsafePointer<Float>, output: UnsafeMutablePointer<Float>) {
            let items = batch * (layout == .nchw ? channels : 1) * outHeight
            let rowWork = Swift.max(1, (layout == .nchw ? width : outWidth * channels) * (rows.first?.hi ?? 1))
            Parallel.forEachChunk(items, grain: Swift.max(1, streamingGrain / rowWork)) { range in
                if layout == .nchw {
                    withUnsafeTemporaryAllocation(of: Float.self, capacity: Swift.max(width, 1)) { line in
                        for item in range { planeRow(item, input, output, line.baseAddress!) }
                    }
                } else {
                    for item in range { channelsLastRow(item, input, output) }
                }
            }
        }

        /// NCHW: output row `item % outHeight` of plane `item / outHeight`.
        @inline(__always)
        private func planeRow(_ item: Int, _ input: UnsafePointer<Float>, _ output: UnsafeMutablePointer<Float>,
                              _ line: UnsafeMutablePointer<Float>) {
            let plane = item / outHeight, row = rows[item % outHeight]
            let src = input + plane * height * width, dst = output + item * outWidth
            let lowest: Float = isMax ? -.infinity : 0
            line.update(repeating: lowest, count: width)
            for kh in row.lo..<row.hi {
                let p = src + (row.start + kh * dilationH) * width
                var x = 0
                while x + 8 <= width {
                    let v = load(p + x), acc = load(line + x)
                    store(isMax ? acc.replacing(with: v, where: v .> acc) : acc + v, line + x)
                    x += 8
                }
                while x < width {
                    line[x] = isMax ? (p[x] > line[x] ? p[x] : line[x]) : line[x] + p[x]
                    x += 1
                }
            }
            for ow in 0..<outWidth {
                let column = columns[ow]
                var best = lowest
                var at = column.start + column.lo * dilationW
                for _ in column.lo..<column.hi {
                    best = isMax ? (line[at] > best ? line[at] : best) : best + line[at]
                    at += dilationW
                }
                if !isMax {
                    let count = countIncludePad ? row.padded * column.padded : (row.hi - row.lo) * (column.hi - column.lo)
                    best = count == 0 ? 0 : best / Float(count)
                }
                dst[ow] = best
            }
        }

        /// NHWC: output row `item % outHeight` of image `item / outHeight`, channels as vectors.
        @inline(__always)
        private func channelsLastRow(_ item: Int, _ input: UnsafePointer<Float>, _ output: UnsafeMutablePointer<Float>) {
            let image = item / outHeight, row = rows[item % outHeight]
            let src = input + image * height * width * channels
            let c = channels, full = c & ~7
            for ow in 0..<outWidth {
                let column = columns[ow], dst = output + (item * outWidth + ow) * c
                dst.update(repeating: isMax ? -.infinity : 0, count: c)
                for kh in row.lo..<row.hi {
                    let line = src + (row.start + kh * dilationH) * width * c
                    for kw in column.lo..<column.hi {
                        let p = line + (column.start + kw * dilationW) * c
                        var k = 0
                        while k < full {
                            let v = load(p + k), acc = load(dst + k)
                            store(isMax ? acc.replacing(with: v, where: v .> acc) : acc + v, dst + k)
                            k += 8
                        }
                        while k < c {
                            dst[k] = isMax ? (p[k] > dst[k] ? p[k] : dst[k]) : dst[k] + p[k]
                            k += 1
                        }
                    }
                }
                if !isMax {
                    let count = countIncludePad ? row.padded * column.padded : (row.hi - row.lo) * (column.hi - column.lo)
                    let scale = count == 0 ? 0 : 1 / Float(count)
                    for k in 0..<c { dst[k] *= scale }
                }
            }
        }
    }

    /// Global average pooling: output[n, c] = mean over the `spatial` positions of channel c
    /// of image n, input [N, C, spatial] (`.nchw`) or [N, spatial, C] (`.nhwc`), output [N, C].
    /// Float32 sums; within 1e-6 · max(1, |y|) of the float64 reference for data of unit scale.
    public static func globalAveragePool(input: UnsafePointer<Float>, output: UnsafeMutablePointer<Float>, batch: Int,
                                         channels: Int, spatial: Int, layout: FastLayout) {
        guard batch > 0, channels > 0 else { return }
        if layout == .nchw {
            reduce(.mean, input: input, output: output, outer: batch * channels, reduced: spatial, inner: 1)
        } else {
            reduce(.mean, input: input, output: output, outer: batch, reduced: spatial, inner: channels)
        }
    }
}
