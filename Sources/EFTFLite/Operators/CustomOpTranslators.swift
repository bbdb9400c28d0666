// Custom operators Edgeflow knows by name. MediaPipe's Convolution2DTransposeBias (its
// segmentation models' last layer, mediapipe/util/tflite/operations/transpose_conv_bias.cc):
// inputs [input NHWC, weights OHWI, bias [O]], options the raw bytes of TFLite's
// TfLiteTransposeConvParams (int32 padding: 1 SAME, 2 VALID; int32 stride width, height). Its
// output is stride·(in − 1) + kernel − p with p = max(0, kernel − (in − 1) mod stride − 1) for
// SAME (0 for VALID), cropped p/2 at the start: a transposed convolution plus bias. And
// TFLite_Detection_PostProcess (DetectionPostProcess.swift), and the three ops of MediaPipe's
// attention face mesh (MediaPipeTransformMatrix.swift, MediaPipeTransforms.swift) and its hair
// segmenter (MediaPipeUnpooling.swift).

import EFCore

enum CustomOpTranslators {
    /// Custom operators by their `custom_code`.
    static let table: [String: OperatorTranslator] = [
        "Convolution2DTransposeBias": transposeConvBias,
        DetectionPostProcess.customCode: DetectionPostProcess.translate,
        MediaPipeTransformMatrix.customCode: MediaPipeTransformMatrix.translate,
        MediaPipeTransforms.bilinearCode: MediaPipeTransforms.transformTensorBilinear,
        MediaPipeTransforms.landmarksCode: MediaPipeTransforms.transformLandmarks,
        MediaPipeUnpooling.poolCode: MediaPipeUnpooling.maxPoolWithArgmax,
        MediaPipeUnpooling.unpoolCode: MediaPipeUnpooling.maxUnpool,
    ]

    private static func transposeConvBias(_ op: TFLiteOperator, _ ctx: TranslationContext) throws {
        let options = op.customOptions
        guard options.count >= 12 else {
            throw EdgeflowError(.invalidModel, "\(ctx.opDescription): its options hold \(options.count) bytes; "
                + "TfLiteTransposeConvParams needs 12 (padding, stride width, stride height)")
        }
        func int32(_ at: Int) -> Int {
            Int(Int32(bitPattern: (0..<4).reduce(UInt32(0)) { $0 | UInt32(options[at + $1]) << (8 * $1) }))
        }
        let padding = int32(0), strides = [int32(8), int32(4)]
        guard padding == 1 || padding == 2, strides.allSatisfy({ (1...4096).contains($0) }) else {
            throw EdgeflowError(.invalidModel, "\(ctx.opDescription): padding \(padding) (1 SAME, 2 VALID) or "
                + "strides \(strides) are not valid")
        }
        let x = try ctx.input(op, 0, "input")
        let filter = try ctx.constantInput(op, 1, "weights")
        let bias = try ctx.input(op, 2, "bias")
        let input = try ConvTranslators.spatial(x, ctx), output = ctx.shape(try ctx.output(op))
        guard filter.rank == 4, output.count == 4, ctx.shape(bias) == [filter.shape[0]] else {
            throw EdgeflowError(.invalidModel, "\(ctx.opDescription): weights \(filter.shape), bias "
                + "\(ctx.shape(bias)) and output \(output) do not fit")
        }
        for axis in 0..<2 {
            let kernel = filter.shape[axis + 1]
            let cut = padding == 1 ? max(0, kernel - (input[axis] - 1) % strides[axis] - 1) : 0
            let expected = strides[axis] * (input[axis] - 1) + kernel - cut
            guard output[axis + 1] == expected else {
                throw EdgeflowError(.invalidModel, "\(ctx.opDescription): the output is declared \(output); "
                    + "MediaPipe's kernel makes \(expected) along axis \(axis + 1)")
            }
        }
        try ConvTranslators.emitTransposeConv(op, ctx, x: x, filter: filter, bias: bias, strides: strides,
                                              activation: 0)
    }
}
