// A strided 1×1 convolution as a gather and a stride-1 one. Such a conv reads every stride-th
// pixel only; oneDNN 2.6's 1×1 kernel runs some of these shapes at about half its rate (ResNet-50's
// layer3 shortcut, 28×28×512 → 14×14×1024: 116 GFLOP/s where the equal-work shortcuts of layer2
// and layer4 reach 190–200 on a Zen 4). Gathering the pixels it reads into the scratchpad and
// running the conv at stride 1 on them gives the same sums, in the same order, at the plain rate.

import EFCore
import Foundation

/// The gather that turns a strided, unpadded 1×1 channels-last convolution into a stride-1 one.
struct ConvolutionSubsample {
    /// Images, and spatial dims of the source and of the gathered source (the output's).
    let batch: Int, inputSpatial: [Int], outputSpatial: [Int], strides: [Int]
    /// Bytes of one pixel (all its channels, float32).
    let pixelBytes: Int
    /// Where the gathered source starts in the scratchpad (after oneDNN's own), and its bytes.
    private(set) var offset = 0
    let byteCount: Int

    /// `EDGEFLOW_CONV_SUBSAMPLE=off` in the environment keeps such convs strided (for measuring).
    static let isEnabled = ProcessInfo.processInfo.environment["EDGEFLOW_CONV_SUBSAMPLE"] != "off"

    /// The gather for `r`, or nil when the conv is not a strided 1×1 with 2 spatial dims, no
    /// padding, in channels-last.
    init?(_ r: ResolvedConvolution, layout: DNNLLayout) {
        let s = r.shape
        guard Self.isEnabled, layout == .nhwc, s.rank == 2, s.kernel == [1, 1],
              r.window.strides.contains(where: { $0 > 1 }),
              (r.window.padBegin + r.window.padEnd).allSatisfy({ $0 == 0 }) else { return nil }
        batch = s.batch
        inputSpatial = s.inputSpatial
        outputSpatial = r.outputSpatial
        strides = r.window.strides
        pixelBytes = s.inChannels * MemoryLayout<Float>.size
        // Sizes were checked by `resolved` (each dim ≤ 2^24, every tensor < 2^40 elements).
        byteCount = batch * outputSpatial[0] * outputSpatial[1] * pixelBytes
    }

    /// This gather with its buffer after `scratchpadBytes` of oneDNN's scratchpad, 64-byte aligned.
    func placed(after scratchpadBytes: Int) -> ConvolutionSubsample {
        var placed = self
        placed.offset = (scratchpadBytes + 63) / 64 * 64
        return placed
    }

    /// The same convolution at stride 1 on the gathered source.
    func strideOne(_ shape: DNNLConvolutionShape) -> DNNLConvolutionShape {
        var gathered = shape
        gathered.inputSpatial = outputSpatial
        gathered.strides = [1, 1]
        return gathered
    }

    /// Output rows over all images (N × H'), the unit `gather` splits its work by.
    var rowCount: Int { batch * outputSpatial[0] }

    /// Copies every stride-th pixel of `source` ([N, H, W, C] float32) into `destination`
    /// ([N, H', W', C], `byteCount` bytes), for the output rows `rows` (of `rowCount`).
    func gather(_ source: UnsafeRawPointer, into destination: UnsafeMutableRawPointer, rows: Range<Int>) {
        let (height, width) = (inputSpatial[0], inputSpatial[1])
        let (rowsPerImage, columns) = (outputSpatial[0], outputSpatial[1])
        for flat in rows {
            let (image, row) = flat.quotientAndRemainder(dividingBy: rowsPerImage)
            let sourceRow = source + ((image * height + row * strides[0]) * width) * pixelBytes
            var written = destination + flat * columns * pixelBytes
            for column in 0..<columns {
                written.copyMemory(from: sourceRow + column * strides[1] * pixelBytes, byteCount: pixelBytes)
                written += pixelBytes
            }
        }
    }
}
