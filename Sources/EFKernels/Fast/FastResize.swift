// Fast float32 Resize (nearest and linear, every coordinate transformation mode of the
// reference) over any rank: the plan keeps, per axis and output index, the input offsets and
// weights of its taps (from the reference's ResizeAxisPlan); a run combines the taps of the
// outer axes once per output row and then walks the last axis, as vectors when the last axis
// is not resized (channels-last), as gathers when it is.

import EFCore

extension FastKernels {
    /// True when `ResizePlan` handles `parameters`: nearest or linear without antialias.
    public static func supportsResize(_ parameters: ResizeParameters) -> Bool {
        (parameters.mode == .nearest || parameters.mode == .linear) && !parameters.antialias
    }

    /// A resize over fixed shapes; build once, run many times (`run` allocates no buffers).
    public struct ResizePlan: Sendable {
        public let inputShape: [Int]
        public let outputShape: [Int]
        let nearest: Bool
        let extrapolation: Float
        /// Per axis, taps per output index (1 for nearest and unchanged axes, 2 for linear).
        let widths: [Int]
        /// Per axis: for output index o, taps o·width ..< (o+1)·width as input element offsets
        /// (index × input stride) and weights; `outside[a][o]` marks tf_crop_and_resize extrapolation.
        let offsets: [[Int]]
        let weights: [[Float]]
        let outside: [[Bool]]
        /// Whether any output index of the last axis is extrapolated.
        let lastAxisExtrapolates: Bool
        /// Whether the last axis is not resized (channels last): a nearest row is one copy.
        let lastAxisUnchanged: Bool

        /// - Throws: `EdgeflowError.unsupported` when `supportsResize` is false; `.invalidInput`
        ///   for parameters `Kernels.resize` rejects (or an empty input with a non-empty output).
        public init(_ parameters: ResizeParameters, inputShape shape: [Int]) throws {
            guard supportsResize(parameters), !shape.isEmpty else {
                throw EdgeflowError(.unsupported,
                    "FastKernels.resize handles nearest and linear without antialias on rank ≥ 1, got "
                        + "\(parameters.mode.rawValue) on \(shape.shapeDescription)", hint: "use Kernels.resize")
            }
            let scales = try parameters.checkedScales(for: shape)
            guard let outCount = parameters.sizes.checkedElementCount, let inCount = shape.checkedElementCount,
                  outCount == 0 || inCount > 0 else {
                throw EdgeflowError(.invalidInput,
                    "resize: cannot resize \(shape.shapeDescription) to \(parameters.sizes.shapeDescription)")
            }
            let rank = shape.count, strides = shape.contiguousStrides
            let roi = parameters.coordinateMode == .tfCropAndResize ? parameters.roi : nil
            var widths: [Int] = [], offsets: [[Int]] = [], weights: [[Float]] = [], outside: [[Bool]] = []
            for a in 0..<rank {
                let axisRoi = roi.map { ($0[a], $0[a + rank]) } ?? (0, 1)
                let size = parameters.sizes[a]
                let identity = abs(scales[a] - 1) <= 1e-9 * max(abs(scales[a]), 1) && size == shape[a]
                    && axisRoi.0 == 0 && abs(axisRoi.1 - 1) <= 1e-9
                if identity || outCount == 0 {
                    widths.append(1)
                    offsets.append((0..<size).map { $0 * strides[a] })
                    weights.append([Float](repeating: 1, count: size))
                    outside.append([Bool](repeating: false, count: size))
                    continue
                }
                let plan = try ResizeAxisPlan(parameters, inputSize: shape[a], outputSize: size, scale: scales[a],
                                              roi: axisRoi)
                widths.append(plan.width)
                offsets.append(plan.indices.map { $0 * strides[a] })
                weights.append(plan.weights.map { Float($0) })
                outside.append(plan.extrapolated)
            }
            inputShape = shape
            outputShape = parameters.sizes
            nearest = parameters.mode == .nearest
            extrapolation = Float(parameters.extrapolationValue)
            self.widths = widths
            self.offsets = offsets
            self.weights = weights
            self.outside = outside
            lastAxisExtrapolates = outside.last?.contains(true) ?? false
            lastAxisUnchanged = !lastAxisExtrapolates && (offsets.last.map { $0.elementsEqual(0..<$0.count) } ?? false)
        }

        /// Resizes `input` (`inputShape`) into `output` (`outputShape`); distinct buffers.
        public func run(input: UnsafePointer<Float>, output: UnsafeMutablePointer<Float>) {
            let rank = outputShape.count, last = rank - 1, length = outputShape[last]
            guard let total = outputShape.checkedElementCount, total > 0 else { return }
            if nearest, lastAxisUnchanged, rank >= 2, !outside.contains(where: { $0.contains(true) }) {
                return runNearestLines(input: input, output: output, total: total)
            }
            let rows = total / length
            let combos = widths.dropLast().reduce(1, *)
            Parallel.forEachChunk(rows, grain: Swift.max(1, streamingGrain / (length * combos))) { range in
                withUnsafeTemporaryAllocation(of: (Int, Float).self, capacity: combos) { taps in
                    for row in range {
                        let dst = output + row * length
                        guard let count = rowTaps(row, taps.baseAddress!) else {
                            dst.update(repeating: extrapolation, count: length)
                            continue
                        }
                        walkLastAxis(input, dst, taps.baseAddress!, count)
                    }
                }
            }
        }

        /// Nearest with the last axis unchanged (channels last) and nothing extrapolated: a line of
        /// output pixels along the second-to-last axis takes its offset over the outer axes once,
        /// then each pixel is one copy of the last axis (a per-pixel walk over the axes cost more
        /// than the copy of 24 floats it found).
        private func runNearestLines(input: UnsafePointer<Float>, output: UnsafeMutablePointer<Float>, total: Int) {
            let rank = outputShape.count, length = outputShape[rank - 1], width = outputShape[rank - 2]
            let lines = total / (length * width)
            offsets[rank - 2].withUnsafeBufferPointer { along in
                Parallel.forEachChunk(lines, grain: Swift.max(1, streamingGrain / (length * width))) { range in
                    withUnsafeTemporaryAllocation(of: (Int, Float).self, capacity: 1) { taps in
                        for line in range {
                            _ = rowTaps(line * width, taps.baseAddress!)
                            let base = input + taps[0].0 - along[0], dst = output + line * width * length
                            for w in 0..<width { (dst + w * length).update(from: base + along[w], count: length) }
                        }
                    }
                }
            }
        }

        /// The (offset, weight) pairs of output row `row` over the axes before the last, or nil
        /// when the row is extrapolated along one of them.
        @inline(__always)
        private func rowTaps(_ row: Int, _ taps: UnsafeMutablePointer<(Int, Float)>) -> Int? {
            taps[0] = (0, 1)
            var count = 1, rest = row
            for a in stride(from: outputShape.count - 2, through: 0, by: -1) {
                let o = rest % outputShape[a]
                rest /= outputShape[a]
                if outside[a][o] { return nil }
                let width = widths[a]
                // Expand the existing combinations by this axis's taps (in place, back to front).
                for c in stride(from: count - 1, through: 0, by: -1) {
                    let (offset, weight) = taps[c]
                    for t in 0..<width {
                        taps[c * width + t] = (offset + offsets[a][o * width + t], weight * weights[a][o * width + t])
                    }
                }
                count *= width
            }
            return count
        }

        @inline(__always)
        private func walkLastAxis(_ src: UnsafePointer<Float>, _ dst: UnsafeMutablePointer<Float>,
                                  _ taps: UnsafeMutablePointer<(Int, Float)>, _ count: Int) {
            let last = outputShape.count - 1, length = outputShape[last], width = widths[last]
            if nearest && lastAxisUnchanged {  // before the per-axis arrays: a plain row copy
                dst.update(from: src + taps[0].0, count: length)
                return
            }
            let lastOffsets = offsets[last], lastWeights = weights[last], lastOutside = outside[last]
            if nearest {
                let base = src + taps[0].0
                lastOffsets.withUnsafeBufferPointer { offsets in
                    if lastAxisExtrapolates {
                        for j in 0..<length { dst[j] = lastOutside[j] ? extrapolation : base[offsets[j]] }
                    } else {
                        for j in 0..<length { dst[j] = base[offsets[j]] }
                    }
                }
                return
            }
            if width == 1 {
                // The last axis is unchanged: weighted sums of contiguous rows, as vectors.
                let full = length & ~7
                var j = 0
                while j < full {
                    var acc = FloatVector(repeating: 0)
                    for c in 0..<count { acc += FloatVector(repeating: taps[c].1) * load(src + taps[c].0 + j) }
                    store(acc, dst + j)
                    j += 8
                }
                while j < length {
                    var acc: Float = 0
                    for c in 0..<count { acc += taps[c].1 * src[taps[c].0 + j] }
                    dst[j] = acc
                    j += 1
                }
                return
            }
            lastOffsets.withUnsafeBufferPointer { offsets in
                lastWeights.withUnsafeBufferPointer { weights in
                    if count == 2 && width == 2 && !lastAxisExtrapolates {
                        // Bilinear over the last two axes, the same arithmetic as the loop below.
                        let (top, bottom) = (src + taps[0].0, src + taps[1].0)
                        let (wTop, wBottom) = (taps[0].1, taps[1].1)
                        for j in 0..<length {
                            let (i0, i1) = (offsets[2 * j], offsets[2 * j + 1])
                            let (w0, w1) = (weights[2 * j], weights[2 * j + 1])
                            dst[j] = wTop * (w0 * top[i0] + w1 * top[i1])
                                + wBottom * (w0 * bottom[i0] + w1 * bottom[i1])
                        }
                        return
                    }
                    for j in 0..<length {
                        if lastAxisExtrapolates && lastOutside[j] { dst[j] = extrapolation; continue }
                        var acc: Float = 0
                        for c in 0..<count {
                            let base = src + taps[c].0
                            var inner: Float = 0
                            for t in 0..<width { inner += weights[j * width + t] * base[offsets[j * width + t]] }
                            acc += taps[c].1 * inner
                        }
                        dst[j] = acc
                    }
                }
            }
        }
    }
}
