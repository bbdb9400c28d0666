// Fast transpose of any permutation and element size. The plan merges dims that stay
// contiguous in both layouts; then either the innermost output dim is contiguous in the input
// too (copy runs), or the input's contiguous dim lands elsewhere in the output and the copy
// goes through 16×16 tiles of those two dims (NCHW↔NHWC, [B,S,H,D]→[B,H,D,S] ...), so both
// reads and writes stay within a few cache lines.

import EFCore

extension FastKernels {
    /// A transpose over fixed shapes; build once, run many times (`run` allocates nothing).
    public struct TransposePlan: Sendable {
        /// Merged output dims, each one's input stride (elements of `word` bytes) and output stride.
        let dims: [Int]
        let sourceStrides: [Int]
        let outputStrides: [Int]
        /// Bytes moved per element of the merged view (1, 2, 4 or 8).
        let word: Int
        /// The merged dim whose input stride is 1 (the tile dim), when not the last.
        let tileDim: Int?
        public let byteCount: Int

        /// Output dim i is input dim `perm[i]`; elements of `elementSize` bytes, row-major.
        /// - Throws: `EdgeflowError.invalidInput` when `perm` is not a permutation of the axes,
        ///   `elementSize` < 1 or the shape is negative or too large.
        public init(shape: [Int], perm: [Int], elementSize: Int) throws {
            guard perm.count == shape.count, Set(perm) == Set(0..<shape.count), elementSize >= 1,
                  let count = shape.checkedElementCount,
                  !count.multipliedReportingOverflow(by: elementSize).overflow else {
                throw EdgeflowError(.invalidInput,
                    "transpose: perm \(perm) of \(shape.shapeDescription) with \(elementSize)-byte elements is invalid")
            }
            byteCount = count * elementSize
            var outShape = perm.map { shape[$0] }
            let inputStrides = shape.contiguousStrides
            var strides = perm.map { inputStrides[$0] }
            if [1, 2, 4, 8].contains(elementSize) {
                word = elementSize
            } else {  // odd sizes move as bytes: one more dim, contiguous in both
                word = 1
                strides = strides.map { $0 * elementSize } + [1]
                outShape.append(elementSize)
            }
            var dims: [Int] = [], source: [Int] = []
            for axis in outShape.indices where outShape[axis] != 1 {
                if let last = dims.last, source.last! == strides[axis] * outShape[axis] {
                    dims[dims.count - 1] = last * outShape[axis]
                    source[source.count - 1] = strides[axis]
                } else {
                    dims.append(outShape[axis])
                    source.append(strides[axis])
                }
            }
            if dims.isEmpty { dims = [1]; source = [1] }
            self.dims = dims
            sourceStrides = source
            outputStrides = dims.contiguousStrides
            let unit = source.firstIndex(of: 1)
            tileDim = unit == dims.count - 1 ? nil : unit
        }

        /// Writes the transpose of `input` to `output` (distinct buffers of `byteCount` bytes).
        public func run(input: UnsafeRawPointer, output: UnsafeMutableRawPointer) {
            guard byteCount > 0 else { return }
            switch word {
            case 1: move(input.assumingMemoryBound(to: UInt8.self), output.assumingMemoryBound(to: UInt8.self))
            case 2: move(input.assumingMemoryBound(to: UInt16.self), output.assumingMemoryBound(to: UInt16.self))
            case 4: move(input.assumingMemoryBound(to: UInt32.self), output.assumingMemoryBound(to: UInt32.self))
            default: move(input.assumingMemoryBound(to: UInt64.self), output.assumingMemoryBound(to: UInt64.self))
            }
        }

        /// Offsets of the `index`-th combination of the dims other than `skipA` and `skipB`.
        @inline(__always)
        private func offsets(of index: Int, skipping skipA: Int, _ skipB: Int) -> (source: Int, output: Int) {
            var rest = index, source = 0, output = 0
            for axis in stride(from: dims.count - 1, through: 0, by: -1) where axis != skipA && axis != skipB {
                let i = rest % dims[axis]
                rest /= dims[axis]
                source += i * sourceStrides[axis]
                output += i * outputStrides[axis]
            }
            return (source, output)
        }

        private func move<W>(_ src: UnsafePointer<W>, _ dst: UnsafeMutablePointer<W>) {
            let last = dims.count - 1, inner = dims[last], innerStride = sourceStrides[last]
            guard let tile = tileDim else {
                // Runs along the last dim, contiguous (stride 1) or, for rank 1, a plain copy.
                let runs = dims.reduce(1, *) / inner
                Parallel.forEachChunk(runs, grain: Swift.max(1, streamingGrain / inner)) { range in
                    for run in range {
                        let (s, o) = offsets(of: run, skipping: last, last)
                        (dst + o).update(from: src + s, count: inner)
                    }
                }
                return
            }
            let side = 16, rows = dims[tile], tileRows = (rows + side - 1) / side
            let rowStride = outputStrides[tile]
            let outer = dims.reduce(1, *) / (rows * inner)
            Parallel.forEachChunk(outer * tileRows, grain: Swift.max(1, streamingGrain / (side * inner))) { range in
                for item in range {
                    let (s, o) = offsets(of: item / tileRows, skipping: tile, last)
                    let a0 = (item % tileRows) * side, a1 = Swift.min(a0 + side, rows)
                    var b0 = 0
                    while b0 < inner {
                        let b1 = Swift.min(b0 + side, inner)
                        for a in a0..<a1 {
                            let from = src + s + a, to = dst + o + a * rowStride
                            for b in b0..<b1 { to[b] = from[b * innerStride] }
                        }
                        b0 = b1
                    }
                }
            }
        }
    }

    /// Transposes `input` (row-major `shape`, `elementSize`-byte elements) into `output` so that
    /// output dim i is input dim `perm[i]`; bit-identical to `Kernels.transpose`. Builds a
    /// `TransposePlan`; keep the plan in loops that must not allocate.
    /// - Throws: as `TransposePlan.init`.
    public static func transpose(input: UnsafeRawPointer, output: UnsafeMutableRawPointer, shape: [Int], perm: [Int],
                                 elementSize: Int) throws {
        try TransposePlan(shape: shape, perm: perm, elementSize: elementSize).run(input: input, output: output)
    }
}
