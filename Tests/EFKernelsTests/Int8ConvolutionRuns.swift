// Runs an Int8Convolution over every image of a channels-last u8 input and collects its
// accumulators with the bias, [N, M, pixels] like the reference `quantizedConvAccumulators`:
// whole images (`accumulate`) or block by block (`forEachBlock`). Shared by the int8 conv tests.

import EFCore
import EFKernels

extension Int8Convolution {
    /// From `accumulate`, image by image.
    func accumulatedWithBias(_ input: Tensor) throws -> [Int32] {
        let scratch = UnsafeMutableRawPointer.allocate(byteCount: scratchpadByteCount, alignment: 64)
        defer { scratch.deallocate() }
        return try collect(input) { x, image, store in
            store(try accumulate(x, image: image, scratchpad: scratch), 0..<outputPixels)
        }
    }

    /// From `forEachBlock` with `blocks` and `product`.
    func blockedWithBias(_ input: Tensor, _ blocks: Int8ConvBlocks, product: ColumnProduct?) throws -> [Int32] {
        let scratch = UnsafeMutableRawPointer.allocate(byteCount: blocks.scratchpadByteCount, alignment: 64)
        defer { scratch.deallocate() }
        return try collect(input) { x, image, store in
            try forEachBlock(x, image: image, blocks: blocks, scratchpad: scratch, product: product) { store($0, $1) }
        }
    }

    /// Calls `run` per image with a `store(accumulators, pixels)` that files [pixels.count, M]
    /// accumulators (without bias) into the result.
    private func collect(_ input: Tensor, _ run: (UnsafePointer<UInt8>, Int,
                                                   (UnsafePointer<Int32>, Range<Int>) -> Void) throws -> Void)
        throws -> [Int32] {
        let (m, pixels) = (outChannels, outputPixels)
        var out = [Int32](repeating: 0, count: batch * m * pixels)
        try input.withUnsafeBufferPointer(as: UInt8.self) { x in
            for image in 0..<batch {
                try run(x.baseAddress!, image) { acc, block in
                    for (row, p) in block.enumerated() {
                        for c in 0..<m { out[(image * m + c) * pixels + p] = acc[row * m + c] &+ compensatedBias[c] }
                    }
                }
            }
        }
        return out
    }
}
