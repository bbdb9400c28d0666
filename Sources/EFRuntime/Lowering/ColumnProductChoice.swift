// What multiplies the unfolded (im2col) columns of an int8 conv that oneDNN's conv refused or
// that runs without oneDNN: oneDNN's exact u8·s8 → s32 matMul where DNNLInt32Products trusts it,
// else this process's build of Edgeflow's SIMD GEMM (SIMDInt8GEMM). Ungrouped convs only; a
// grouped conv keeps Int8Convolution's own baseline GEMM (nil here).

import EFCore
import EFKernels
import EFOneDNN

/// The product for an ungrouped `Int8Convolution` with `pixels` output pixels per image.
struct ColumnProductChoice {
    /// The kernel-name part, e.g. "onednn qu8 im2col-gemm avx512_core_bf16".
    let name: String
    /// Scratch bytes the product needs beyond the conv's own (64-byte aligned offset given to `make`).
    let scratchpadByteCount: Int
    /// The product takes any number of rows (so the conv may run block by block).
    let takesRowBlocks: Bool
    /// The product for one run, given its scratch.
    let make: (UnsafeMutableRawPointer) -> Int8Convolution.ColumnProduct

    /// nil when the conv is grouped.
    static func choose(for conv: Int8Convolution, pixels: Int) -> ColumnProductChoice? {
        guard conv.group == 1 else { return nil }
        let weights = conv.columnWeights(group: 0)
        let (k, m) = (weights.shape[0], weights.shape[1])
        func checked(_ rowStride: Int, _ rows: Int) throws {
            guard rowStride == k, rows == pixels else {
                throw EdgeflowError(.internalError,
                                    "int8 im2col product: [\(rows), \(rowStride)] for [\(pixels), \(k)]")
            }
        }
        if DNNLInt32Products.isExactHere,
           let gemm = try? DNNLInt8MatMulS32(shape: DNNLMatMulShape(a: [pixels, k], b: [k, m]), weights: weights),
           !gemm.implementation.hasPrefix("ref") {
            return ColumnProductChoice(name: "onednn qu8 im2col-gemm \(DNNLEngine.effectiveISA)",
                                       scratchpadByteCount: gemm.scratchpadByteCount,
                                       takesRowBlocks: false) { scratchpad in
                { columns, rowStride, rows, out in
                    try checked(rowStride, rows)
                    try gemm.execute(a: columns, destination: out, scratchpad: scratchpad)
                }
            }
        }
        guard let gemm = try? SIMDInt8GEMM(weights) else { return nil }
        return ColumnProductChoice(name: "simd qu8 conv-gemm \(SIMDKernels.isa)", scratchpadByteCount: 0,
                                   takesRowBlocks: true) { _ in
            { columns, rowStride, rows, out in
                try gemm.run(columns, rowStride: rowStride, rows: rows, into: out, outputRowStride: m)
            }
        }
    }
}
