// AVERAGE_POOL_2D on int8/uint8, as TFLite's reference integer kernel computes it: the sum over the
// window's pixels inside the image, divided by their count rounding half away from zero, then
// the activation clamp. Imported as a depthwise ConvInteger with all-one weights (the sums),
// |sum| + count/2 divided by the count (constants per output pixel), the sum's sign put back.

import EFCore
import EFKernels
import EFONNX

extension IntegerTranslators {
    /// The most elements the pool's weight or per-pixel count constant may hold (16 Mi: a
    /// 4096 × 4096 output, or 4096 channels of a 64 × 64 window).
    static let maxConstantElements = 1 << 24


    /// - Parameters: pads [top, left, bottom, right] as ConvTranslators.pads makes them.
    static func averagePool(_ op: TFLiteOperator, _ ctx: TranslationContext, x: Int, kernel: [Int],
                            strides: [Int], pads: [Int], activation: Int8) throws {
        let out = try ctx.output(op)
        let input = try ctx.quantization(x), output = try ctx.quantization(out)
        guard input == output, input.dtype != .int16 else {
            throw EdgeflowError(.unsupported, "\(ctx.opDescription): a quantized average pool needs int8 or uint8 "
                + "input and output of equal scale and zero point (TFLite requires it)")
        }
        let shape = ctx.shape(x)   // NHWC, checked 4-D by the pool translator
        let channels = shape[3], size = [shape[1], shape[2]]
        let outSize: [Int] = (0..<2).map { axis -> Int in
            let extent: Int = size[axis] + pads[axis] + pads[axis + 2] - kernel[axis]
            return Swift.max(0, extent / strides[axis] + 1)
        }
        // Both constants are built here from sizes the file gives: bounded before allocating.
        let windowElements = try CheckedSize.product([channels, kernel[0], kernel[1]], ctx.opDescription,
                                                     kind: .invalidModel)
        let outputPixels = try CheckedSize.product(outSize, ctx.opDescription, kind: .invalidModel)
        guard windowElements <= maxConstantElements, outputPixels <= maxConstantElements else {
            throw EdgeflowError(.invalidModel, "\(ctx.opDescription): a quantized average pool of \(channels) "
                + "channels, window \(kernel) and output \(outSize) needs constants over \(maxConstantElements) "
                + "elements")
        }
        let ones = Tensor(shape: [channels, 1, kernel[0], kernel[1]],
                          scalars: [Int8](repeating: 1, count: windowElements))
        let sums = ctx.emit("ConvInteger", [try ctx.value(x), ctx.addInitializer(ones, hint: "window")], [
            "kernel_shape": .ints(kernel), "strides": .ints(strides), "pads": .ints(pads), "group": .int(channels),
        ], hint: ctx.tensor(out).name)
        // The pixels of each window inside the image.
        func inside(_ axis: Int, _ position: Int) -> Int32 {
            let origin = position * strides[axis] - pads[axis]
            return Int32(Swift.min(kernel[axis], size[axis] - origin) - Swift.max(0, -origin))
        }
        var counts: [Int32] = []
        counts.reserveCapacity(outputPixels)
        for row in 0..<outSize[0] {
            for column in 0..<outSize[1] { counts.append(Swift.max(1, inside(0, row) * inside(1, column))) }
        }
        let countShape = [1, 1, outSize[0], outSize[1]]
        let half = ctx.addInitializer(Tensor(shape: countShape, scalars: counts.map { $0 / 2 }), hint: "half_count")
        let count = ctx.addInitializer(Tensor(shape: countShape, scalars: counts), hint: "count")
        let rounded = ctx.emit("Div", [ctx.emit("Add", [ctx.emit("Abs", [sums], hint: sums), half], hint: sums), count],
                               hint: sums)
        let average = ctx.emit("Mul", [rounded, ctx.emit("Sign", [sums], hint: sums)], hint: sums)
        let range = try ctx.activationRange(activation, output)
        let clipped = ctx.emit("Clip", [average, ctx.int32(range.lowerBound, hint: "min"),
                                        ctx.int32(range.upperBound, hint: "max")], hint: average)
        ctx.emit("Cast", [clipped], ["to": .int(OnnxDataType.code(output.dtype))], output: ctx.outputName(out),
                 hint: clipped)
    }
}
