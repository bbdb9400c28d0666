// An int8 conv run block by block of output pixels: each worker thread computes a block's
// accumulators (an ungrouped conv unfolds its columns, or reads a 1×1 conv's input rows directly,
// and multiplies them; a depthwise conv runs its direct kernel over whole output rows) and
// finishes them (the caller's epilogue) while they are still in cache, instead of passes over
// whole-image buffers larger than L2. Channels last only. Same accumulators, same bytes.

import EFCore

/// How `Int8Convolution.forEachBlock` splits an image's output pixels.
public struct Int8ConvBlocks: Sendable {
    /// Output pixels per block (the last block may have fewer): a multiple of 12, or of the
    /// output width for a depthwise conv (whole output rows), or of m times it for a Winograd.
    public let rows: Int
    /// Blocks per image (at least 2).
    public let count: Int
    /// Scratch bytes of one worker: its columns then its int32 [rows, M] accumulators.
    public let slotByteCount: Int
    /// Workers that can run at once (each needs a slot).
    public let slots: Int
    let columnByteCount: Int

    /// Scratch bytes `forEachBlock` needs.
    public var scratchpadByteCount: Int { slots * slotByteCount }

    /// Blocks of about `targetBytes` of columns plus accumulators; nil when there would be fewer
    /// than `minimumCount` (too few to share among threads evenly, and each block reads all the
    /// weights again).
    init?(pixels: Int, k: Int, m: Int, unfolds: Bool, targetBytes: Int, minimumCount: Int) {
        let perRow = (unfolds ? k : 0) + 4 * m
        let rows = max(12, targetBytes / max(1, perRow) / 12 * 12)
        guard pixels >= rows * minimumCount else { return nil }
        self.rows = rows
        count = (pixels + rows - 1) / rows
        slots = min(Parallel.maxThreadCount, count)
        columnByteCount = unfolds ? (rows * k + 63) / 64 * 64 : 0
        slotByteCount = columnByteCount + (rows * m * 4 + 63) / 64 * 64
    }

    /// Blocks of whole work units (`units` output rows, or Winograd's rows of tiles, of `unitPixels`
    /// pixels each) of about `targetBytes` of int32 accumulators, each with `scratchBytes` of its
    /// own; nil when there would be fewer than `minimumCount`.
    init?(units: Int, unitPixels: Int, m: Int, scratchBytes: Int = 0, targetBytes: Int, minimumCount: Int) {
        let unitsPerBlock = max(1, targetBytes / max(1, unitPixels * m * 4))
        guard units >= unitsPerBlock * minimumCount else { return nil }
        rows = unitsPerBlock * unitPixels
        count = (units + unitsPerBlock - 1) / unitsPerBlock
        slots = min(Parallel.maxThreadCount, count)
        columnByteCount = (scratchBytes + 63) / 64 * 64
        slotByteCount = columnByteCount + (rows * m * 4 + 63) / 64 * 64
    }
}

extension Int8Convolution {
    /// The pixel blocks of a channels-last conv that is ungrouped (its column product must then
    /// run on any number of rows; a Winograd's blocks are whole rows of tiles) or depthwise
    /// (blocks of whole output rows); nil otherwise or
    /// when too few blocks would hold the image.
    /// - Parameters:
    ///   - targetBytes: columns plus int32 accumulators per block (well inside L2).
    ///   - minimumCount: the fewest blocks worth splitting an image into.
    public func blocks(targetBytes: Int = 128 << 10, minimumCount: Int = 8) -> Int8ConvBlocks? {
        guard channelsLast else { return nil }
        if winograd != nil || isDepthwise {
            let unit = blockUnitPixels
            return Int8ConvBlocks(units: (outputPixels + unit - 1) / unit, unitPixels: unit, m: outChannels,
                                  scratchBytes: blockColumnBytes(rows: 0), targetBytes: targetBytes,
                                  minimumCount: minimumCount)
        }
        guard group == 1 else { return nil }
        return Int8ConvBlocks(pixels: outputPixels, k: geometry.kernelVolume * inChannels, m: outChannels,
                              unfolds: !direct, targetBytes: targetBytes, minimumCount: minimumCount)
    }

    /// The output pixels a block holds a whole multiple of: a Winograd's rows of tiles, a depthwise
    /// conv's output rows, else single pixels.
    private var blockUnitPixels: Int {
        max(1, winograd.map { $0.tile * geometry.output[2] } ?? (isDepthwise ? geometry.output[2] : 1))
    }

    /// Scratch bytes a block of `rows` pixels needs before its accumulators: a Winograd's own, or
    /// an im2col GEMM's unfolded columns.
    private func blockColumnBytes(rows: Int) -> Int {
        winograd?.scratchByteCount ?? (direct || isDepthwise ? 0 : rows * geometry.kernelVolume * inChannels)
    }

    /// Runs image `image` block by block, in parallel over blocks: `product` multiplies the
    /// block's u8 columns (as `ColumnProduct`, with `rows` = the block's pixels; a depthwise or
    /// Winograd conv takes none and runs its own kernel), then `finish(accumulators, pixels)` gets
    /// its int32 [pixels.count, M] accumulators (without bias). `product` and `finish` run on several
    /// threads at once, on disjoint pixels.
    /// - Parameter scratchpad: `blocks.scratchpadByteCount` bytes, 64-byte aligned.
    /// - Throws: `EdgeflowError.invalidInput` for an image out of range, blocks made for another
    ///   conv, or a missing product; the first error `product` or `finish` throws.
    public func forEachBlock(_ x: UnsafePointer<UInt8>, image: Int, blocks: Int8ConvBlocks,
                             scratchpad: UnsafeMutableRawPointer, product: ColumnProduct?,
                             finish: (UnsafeMutablePointer<Int32>, Range<Int>) throws -> Void) throws {
        let pixels = outputPixels, k = geometry.kernelVolume * inChannels, width = geometry.output[2]
        guard (0..<batch).contains(image), blocks.count == (pixels + blocks.rows - 1) / blocks.rows,
              blocks.columnByteCount >= blockColumnBytes(rows: blocks.rows),
              blocks.slotByteCount >= blocks.columnByteCount + blocks.rows * outChannels * 4,
              blocks.rows % blockUnitPixels == 0 else {
            throw EdgeflowError(.invalidInput,
                                "int8 conv blocks: image \(image) of \(batch) or blocks made for another conv")
        }
        guard isDepthwise || winograd != nil || product != nil else {
            throw EdgeflowError(.invalidInput, "int8 conv blocks: an ungrouped conv needs a column product")
        }
        let image0 = x + image * inChannels * geometry.inputVolume
        let workers = min(Parallel.threadCount, blocks.slots)
        var failures = [(any Error)?](repeating: nil, count: workers)
        failures.withUnsafeMutableBufferPointer { failure in
            Parallel.forEachChunk(workers) { range in
                for worker in range {
                    let slot = scratchpad + worker * blocks.slotByteCount
                    let columns = slot.assumingMemoryBound(to: UInt8.self)
                    let accumulators = (slot + blocks.columnByteCount).assumingMemoryBound(to: Int32.self)
                    let first = blocks.count * worker / workers, end = blocks.count * (worker + 1) / workers
                    do {
                        for block in first..<end {
                            let lower = block * blocks.rows, rows = min(blocks.rows, pixels - lower)
                            if let winograd {
                                let unit = winograd.tile * width
                                let tileRows = (lower / unit)..<((lower + rows + unit - 1) / unit)
                                winograd.run(image0, tiles: (tileRows.lowerBound * winograd.tilesAcross)
                                                ..< min(winograd.tiles, tileRows.upperBound * winograd.tilesAcross),
                                             into: accumulators, pixelBase: lower, scratch: slot)
                            } else if isDepthwise {
                                depthwiseUnits(image0, (lower / width)..<((lower + rows) / width), into: accumulators)
                            } else if direct, let product {
                                try product(image0 + lower * inChannels, inChannels, rows, accumulators)
                            } else if let product {
                                unfold(image0, group: 0, pixels: lower..<(lower + rows), into: columns)
                                try product(columns, k, rows, accumulators)
                            }
                            try finish(accumulators, lower..<(lower + rows))
                        }
                    } catch {
                        failure[worker] = error
                    }
                }
            }
        }
        if let error = failures.lazy.compactMap({ $0 }).first { throw error }
    }
}
