// TFLite's CONV_3D (NDHWC input, DHWIO filter) as an ONNX Conv over NCDHW between two transposes;
// padding SAME or VALID as TFLite computes it per spatial axis, strides and dilations per axis,
// the fused activation after the bias. Float32.

import EFCore
import EFKernels
import EFONNX

enum Conv3DTranslator {
    static let table: [Int32: OperatorTranslator] = [BuiltinOperator.conv3D: conv3D]

    /// CONV_3D(input [N, D, H, W, C], filter [kd, kh, kw, C, M], bias [M]?); options: padding (0),
    /// stride d, w, h (1–3), activation (4), dilation d, w, h (5–7).
    private static func conv3D(_ op: TFLiteOperator, _ ctx: TranslationContext) throws {
        let options = Options(op)
        let x = try ctx.input(op, 0, "input"), input = ctx.shape(x)
        let filter = try ctx.constantInput(op, 1, "filter")
        guard ctx.tensor(x).typeCode == 0, input.count == 5, filter.rank == 5, filter.shape[3] == input[4] else {
            throw EdgeflowError(.unsupported, "\(ctx.opDescription): filter \(filter.shape) and input \(input) "
                + "(Edgeflow reads float32 [N, D, H, W, C] with a [kd, kh, kw, C, M] filter)")
        }
        let strides = [try options.int(1, 1), try options.int(3, 1), try options.int(2, 1)]
        let dilations = [try options.int(5, 1), try options.int(7, 1), try options.int(6, 1)]
        guard (strides + dilations).allSatisfy({ $0 >= 1 }) else {
            throw EdgeflowError(.invalidModel, "\(ctx.opDescription): strides \(strides) and dilations \(dilations)")
        }
        let kernel = Array(filter.shape[0..<3])
        let pads = ConvTranslators.pads(padding: try options.byte(0), input: Array(input[1...3]), kernel: kernel,
                                        strides: strides, dilations: dilations)
        let weight = try Kernels.transpose(filter, perm: [4, 3, 0, 1, 2])
        var inputs = [
            ctx.emit("Transpose", [try ctx.value(x)], ["perm": .ints([0, 4, 1, 2, 3])], hint: "ncdhw"),
            ctx.addInitializer(weight, hint: "\(ctx.tensor(x).name)/weight3d"),
        ]
        if op.inputs.count > 2, op.inputs[2] >= 0 { inputs.append(try ctx.value(op.inputs[2])) }
        let attributes: [String: OnnxAttribute] = [
            "kernel_shape": .ints(kernel), "strides": .ints(strides), "dilations": .ints(dilations),
            "pads": .ints(pads),
        ]
        let convolved = ctx.emit("Conv", inputs, attributes, hint: "conv3d")
        let activated = try ctx.activation(try options.byte(4), convolved)
        ctx.emit("Transpose", [activated], ["perm": .ints([0, 2, 3, 4, 1])], output: ctx.outputName(try ctx.output(op)),
                 hint: activated)
    }
}
