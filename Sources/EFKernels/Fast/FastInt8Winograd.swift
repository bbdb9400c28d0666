// An int8 3×3 stride-1 conv by Winograd's F(m×m, 3×3) (CInt8Kernels' ef_qu8_winograd_avx2):
// (m + 2)² products per m×m output pixels instead of 9m², in integers throughout, so its int32
// accumulators equal the im2col GEMM's bit for bit (the proof is in qu8_winograd_avx2.c).
// Int8Convolution builds one where the shape allows and the CPU runs AVX2.

import CInt8Kernels
import EFCore
import Foundation

/// The transformed weights of one eligible int8 conv and its tiled kernel.
public struct Int8Winograd: @unchecked Sendable {
    /// m: output pixels per tile side (2, 3 or 4).
    public let tile: Int
    /// Tiles (m×m output pixels) per row of tiles, and in all.
    let tilesAcross: Int
    let tiles: Int
    /// Scratch bytes of one call (64-byte multiple).
    let scratchByteCount: Int
    private let window: ef_winograd_geometry
    private let packed: [Int32]

    /// Whether this process may use it: an AVX2 build (`SIMDBuild.current`) and not switched off
    /// by `EDGEFLOW_INT8_WINOGRAD=off` (for side-by-side measurements).
    public static let isAvailable = SIMDBuild.current != .baseline
        && ProcessInfo.processInfo.environment["EDGEFLOW_INT8_WINOGRAD"] != "off"

    /// The tile sides there are: F(4×4, 3×3) takes up to 114 input channels, F(2×2, 3×3) and
    /// F(3×3, 3×3) up to 1,827 (the exactness bounds of `ef_qu8_winograd_fits`).
    public static let tileSizes = [2, 3, 4]

    /// The estimated cost of tile side m for an output of height × width, per input and output
    /// channel pair: its products, (m + 2)² per tile with the tiles in groups of 6 (the GEMM's
    /// rows), about 8 % more per step of m for the larger transforms, plus reading its (m + 2)²
    /// int16 weights, which in a whole model come from memory (about 7.5 products each). Fitted
    /// on an AMD EPYC Zen 2 (`edgeflow-kernel-bench --int8-conv` and ResNet-50 profiles): m = 4 at
    /// 56×56, m = 3 at 28×28, m = 2 at 14×14 and 7×7 (whose 2×2 tiles waste the fewest pixels).
    static func cost(tile m: Int, height: Int, width: Int) -> Double {
        let tiles: Int = ((height + m - 1) / m) * ((width + m - 1) / m)
        let points = Double((m + 2) * (m + 2)), transforms: Double = 1 + 0.08 * Double(m - 2)
        return points * (Double((tiles + 5) / 6 * 6) * transforms + 7.5)
    }

    /// nil unless the conv is channels last, ungrouped, 2-D (depth 1), 3×3 with stride and
    /// dilation 1, has at least `minimumChannels` input and output channels and few enough input
    /// channels for the exactness bound of some tile.
    /// - Parameters:
    ///   - weights: int8 [M, C, 3, 3] (or [M, C, 1, 3, 3]).
    ///   - tiles: the tile sides allowed (of 2, 3, 4); of those exact for C, the cheapest by `cost`.
    init?(_ g: WindowGeometry, inChannels: Int, outChannels: Int, group: Int, channelsLast: Bool, zeroPoint: Int32,
          weights: Tensor, tiles candidates: [Int] = tileSizes, minimumChannels: Int = 8) {
        guard channelsLast, group == 1, g.kernel == [1, 3, 3], g.strides.allSatisfy({ $0 == 1 }),
              g.dilations.allSatisfy({ $0 == 1 }), g.input[0] == 1, g.output[0] == 1, g.padBegin[0] == 0,
              g.padBegin.allSatisfy({ $0 >= 0 }), min(inChannels, outChannels) >= minimumChannels,
              weights.count == outChannels * inChannels * 9,
              let tile = candidates.filter({ ef_qu8_winograd_fits(Int64(inChannels), Int64($0)) != 0 })
                .min(by: { Self.cost(tile: $0, height: g.output[1], width: g.output[2])
                           < Self.cost(tile: $1, height: g.output[1], width: g.output[2]) }) else {
            return nil
        }
        self.tile = tile
        var window = ef_winograd_geometry()
        (window.channels, window.out_channels) = (Int64(inChannels), Int64(outChannels))
        window.input = (Int64(g.input[1]), Int64(g.input[2]))
        window.output = (Int64(g.output[1]), Int64(g.output[2]))
        window.pad_begin = (Int64(g.padBegin[1]), Int64(g.padBegin[2]))
        window.fill = UInt8(zeroPoint)
        window.tile = Int64(tile)
        self.window = window
        tilesAcross = (g.output[2] + tile - 1) / tile
        tiles = tilesAcross * ((g.output[1] + tile - 1) / tile)
        let (c, m, t) = (Int64(inChannels), Int64(outChannels), Int64(tile))
        scratchByteCount = (Int(ef_qu8_winograd_scratch_bytes(c, t)) + 63) / 64 * 64
        var packed = [Int32](repeating: 0, count: Int(ef_qu8_winograd_packed_count(c, m, t)))
        weights.withUnsafeBufferPointer(as: Int8.self) { w in
            packed.withUnsafeMutableBufferPointer { p in ef_qu8_winograd_pack(w.baseAddress!, c, m, t, p.baseAddress!) }
        }
        self.packed = packed
    }

    /// The int32 accumulators (without bias) of the output pixels of tiles `tiles`, pixel p at
    /// `accumulators + (p − pixelBase) · M`.
    /// - Parameters:
    ///   - image0: one image's u8 input [H, W, C].
    ///   - scratch: `scratchByteCount` bytes, 64-byte aligned, this call's alone.
    func run(_ image0: UnsafePointer<UInt8>, tiles: Range<Int>, into accumulators: UnsafeMutablePointer<Int32>,
             pixelBase: Int, scratch: UnsafeMutableRawPointer) {
        packed.withUnsafeBufferPointer { p in
            withUnsafePointer(to: window) { window in
                ef_qu8_winograd_avx2(image0, p.baseAddress!, window, Int64(tiles.lowerBound), Int64(tiles.upperBound),
                                     accumulators, Int64(pixelBase), scratch)
            }
        }
    }

    /// All of one image's accumulators, [pixels, M], the tiles shared among the threads, each
    /// with its own part of `scratch` (`Parallel.maxThreadCount · scratchByteCount` bytes).
    func runImage(_ image0: UnsafePointer<UInt8>, into accumulators: UnsafeMutablePointer<Int32>,
                  scratch: UnsafeMutableRawPointer) {
        let groups = (tiles + 5) / 6, workers = min(Parallel.threadCount, Parallel.maxThreadCount, groups)
        Parallel.forEachChunk(workers) { range in
            for worker in range {
                let first = groups * worker / workers * 6, end = min(tiles, groups * (worker + 1) / workers * 6)
                run(image0, tiles: first..<end, into: accumulators, pixelBase: 0,
                    scratch: scratch + worker * scratchByteCount)
            }
        }
    }
}
