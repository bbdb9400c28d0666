// Where a blocked int8 conv spends its time, layer by layer (PP-OCRv4 det and ResNet-50 shapes):
// Int8Convolution.forEachBlock with the AVX2 intrinsics GEMM and a requantizing finish, then the
// same blocks with the finish emptied (unfold + GEMM), then with the product emptied too (the
// unfold, or the depthwise kernel, alone); a 3×3 stride-1 layer also as Winograd F(m×m, 3×3).
// Differences between the lines are the parts' costs, measured side by side in one process.
// Needs AVX2.
//   edgeflow-kernel-bench --int8-conv [--threads N] [--iterations K]
// Layers with too few pixels for blocks run unblocked (accumulators only).

import EFCore
import EFKernels
import EFKernelsAVX2
import Foundation

private typealias AVX2 = EFKernelsAVX2.FastKernels

struct Int8ConvBench {
    var iterations: Int

    /// (name, input [1, C, H, W], output channels, kernel, parameters; group C = depthwise).
    private let layers: [(String, [Int], Int, Int, ConvParameters)] = [
        ("det stem 3→16 3×3/2", [1, 3, 640, 640], 16, 3, ConvParameters(strides: [2, 2], pads: [1, 1, 1, 1])),
        ("det dw 16 3×3", [1, 16, 320, 320], 16, 3, ConvParameters(pads: [1, 1, 1, 1], group: 16)),
        ("rec dw 480 5×5 at 6×80", [1, 480, 6, 80], 480, 5, ConvParameters(pads: [2, 2, 2, 2], group: 480)),
        ("det 1×1 16→32", [1, 16, 320, 320], 32, 1, ConvParameters()),
        ("det 3×3 96→24", [1, 96, 160, 160], 24, 3, ConvParameters(pads: [1, 1, 1, 1])),
        ("det 3×3 96→32 (N a multiple of 16)", [1, 96, 160, 160], 32, 3, ConvParameters(pads: [1, 1, 1, 1])),
        ("resnet 3×3 64→64", [1, 64, 56, 56], 64, 3, ConvParameters(pads: [1, 1, 1, 1])),
        ("resnet 1×1 256→64", [1, 256, 56, 56], 64, 1, ConvParameters()),
        ("resnet 3×3 128→128", [1, 128, 28, 28], 128, 3, ConvParameters(pads: [1, 1, 1, 1])),
        ("resnet 3×3 256→256", [1, 256, 14, 14], 256, 3, ConvParameters(pads: [1, 1, 1, 1])),
        ("resnet 3×3 512→512", [1, 512, 7, 7], 512, 3, ConvParameters(pads: [1, 1, 1, 1])),
    ]

    func run() throws {
        print("int8 conv blocks: \(Int8Bench.cpuName), \(Parallel.threadCount) thread(s), median of \(iterations)")
        for (name, shape, m, kernel, parameters) in layers {
            let wShape = [m, shape[1] / parameters.group, kernel, kernel]
            let w = Tensor(shape: wShape, scalars: Bench.integers(wShape.elementCount, in: -128...127, seed: 5,
                                                                  as: Int8.self))
            let x = Bench.integers(shape.elementCount, in: 0...255, seed: 6, as: UInt8.self)
            try layer(name, shape, w, x, parameters)
            try winograd(shape, w, x, parameters)
        }
    }

    /// The same conv as Winograd F(m×m, 3×3) for each m that is exact for it, whole image,
    /// accumulators only.
    private func winograd(_ shape: [Int], _ w: Tensor, _ x: [UInt8], _ parameters: ConvParameters) throws {
        let m = w.shape[0]
        for tile in Int8Winograd.tileSizes {
            let conv = try Int8Convolution(inputShape: shape, weights: w, bias: nil, zeroPoint: 3, parameters,
                                           channelsLast: true, winograd: true, winogradTiles: [tile])
            guard conv.usesWinograd else { continue }
            let scratch = Bench.Buffer(bytes: conv.scratchpadByteCount)
            let time = try x.withUnsafeBufferPointer { input in
                try Bench.wallTimes(iterations: iterations) {
                    _ = try conv.accumulate(input.baseAddress!, image: 0, scratchpad: scratch.pointer)
                }.median
            }
            let macs = Double(conv.outputPixels * m * w.shape[1...].reduce(1, *))
            print(String(format: "  as Winograd F(%d×%d, 3×3), whole image, without the requantization: %.2f ms "
                         + "(%.1f GMAC/s of the direct conv's products)", tile, tile, time * 1e3, macs / time / 1e9))
        }
    }

    /// - Parameters: w int8 [M, C/group, k, k]; x the u8 input, channels last.
    private func layer(_ name: String, _ shape: [Int], _ w: Tensor, _ x: [UInt8],
                       _ parameters: ConvParameters) throws {
        let m = w.shape[0]
        let conv = try Int8Convolution(inputShape: shape, weights: w, bias: nil, zeroPoint: 3, parameters,
                                       channelsLast: true)
        let macs = Double(conv.outputPixels * m * w.shape[1...].reduce(1, *))
        let packed = conv.isDepthwise ? nil : try EFKernelsAVX2.Int8PackedWeights(conv.columnWeights(group: 0))
        let product: Int8Convolution.ColumnProduct? = packed.map { packed in
            { columns, stride, rows, out in
                try AVX2.int8GEMMIntrinsics(columns, rowStride: stride, rows: rows, weights: packed, into: out,
                                            outputRowStride: packed.n)
            }
        }
        guard let blocks = conv.blocks() else {  // too few pixels for blocks: the whole image at once
            let scratch = Bench.Buffer(bytes: conv.scratchpadByteCount)
            let time = try x.withUnsafeBufferPointer { input in
                try Bench.wallTimes(iterations: iterations) {
                    _ = try conv.accumulate(input.baseAddress!, image: 0, scratchpad: scratch.pointer, product: product)
                }.median
            }
            return print(String(format: "%@: unblocked, without the requantization %.2f ms (%.1f GMAC/s)", name,
                                time * 1e3, macs / time / 1e9))
        }
        let empty: Int8Convolution.ColumnProduct? = conv.isDepthwise ? nil : { _, _, _, _ in }
        let scratch = Bench.Buffer(bytes: blocks.scratchpadByteCount), y = Bench.Buffer(bytes: conv.outputPixels * m)
        let multipliers = [Float](repeating: 1.0 / 4096, count: m), bias = conv.compensatedBias
        let output = y.pointer.assumingMemoryBound(to: UInt8.self)
        func run(_ product: Int8Convolution.ColumnProduct?, finish: Bool) throws -> Double {
            try x.withUnsafeBufferPointer { input in
                try Bench.wallTimes(iterations: iterations) {
                    try conv.forEachBlock(input.baseAddress!, image: 0, blocks: blocks, scratchpad: scratch.pointer,
                                          product: product) { acc, pixels in
                        guard finish else { return }
                        try AVX2.requantize(acc, bias: bias, multipliers: multipliers, channels: m, inner: 1,
                                                   count: pixels.count * m,
                                                   output: AVX2.RequantizeOutput(zeroPoint: 128),
                                                   into: output + pixels.lowerBound * m)
                    }
                }.median
            }
        }
        let whole = try run(product, finish: true), noFinish = try run(product, finish: false)
        let accumulate = conv.isDepthwise ? noFinish : try run(empty, finish: false)
        let part = conv.isDepthwise ? "depthwise kernel" : "unfold"
        print(String(format: "%@: %.2f ms (%.1f GMAC/s); without the requantization %.2f ms; %@ alone %.2f ms "
                     + "[%d blocks of %d pixels]", name, whole * 1e3, macs / whole / 1e9, noFinish * 1e3, part,
                     accumulate * 1e3, blocks.count, blocks.rows))
    }
}
