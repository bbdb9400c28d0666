// A channels-last ConvTranspose whose kernel equals its stride (no padding, dilation, groups or
// output padding: the 2×2 stride-2 upsampling of detection heads) writes every output pixel
// from exactly one input pixel. It is one matrix product, [N·H·W, Cin] × [Cin, kh·kw·Cout], on
// oneDNN's matmul, then a copy of each row's kh slices of kw·Cout floats to their place in the
// [N, H·kh, W·kw, Cout] output. oneDNN 2.6's own deconvolution ran these at 3–11 GFLOP/s.

import EFCore
import EFKernels
import EFOneDNN
import EFOps

enum PatchDeconvLowering {
    /// The step, or nil when the node is not a channels-last 2-D patch deconvolution.
    static func lower(_ node: PlannedStep, _ context: StepContext, weights: Tensor, bias: Tensor?,
                      epilogue: DNNLEpilogue, precision: DNNLPrecision) throws -> (any Step)? {
        guard case .convTranspose(let p) = node.params, p.channelsLast, p.window.group == 1,
              weights.rank == 4, weights.dtype == .float32 else { return nil }
        let (kh, kw) = (weights.shape[2], weights.shape[3])
        guard p.window.strides == [kh, kw], p.window.pads.allSatisfy({ $0 == 0 }),
              p.window.dilations.allSatisfy({ $0 == 1 }), p.outputPadding.allSatisfy({ $0 == 0 }) else { return nil }
        let input = try context.tensor(node.inputs[0]), output = try context.tensor(node.outputs[0])
        let (cin, cout) = (weights.shape[0], weights.shape[1])
        guard input.shape.count == 4, input.shape[3] == cin,
              bias.map({ $0.dtype == .float32 && $0.count == cout }) ?? true else { return nil }
        let (n, h, w) = (input.shape[0], input.shape[1], input.shape[2])
        guard output.shape == [n, h * kh, w * kw, cout] else {
            throw EdgeflowError(.internalError, "deconv output \(output.shape) is not [\(n), \(h * kh), \(w * kw), "
                                + "\(cout)]")
        }
        let columns = kh * kw * cout
        let matMul = try DNNLMatMul(shape: DNNLMatMulShape(a: [n * h * w, cin], b: [cin, columns]),
                                    b: .constant(patchWeights(weights)),
                                    bias: bias.map { tiledBias($0, times: kh * kw) },
                                    epilogue: epilogue, precision: precision)
        let offset = (matMul.scratchpadByteCount + 63) / 64 * 64
        let rowFloats = kw * cout, info = context.info(node, kernel: "onednn \(matMul.implementation) patch-deconv")
        return KernelStep(info: info, scratchpadByteCount: offset + n * h * w * columns * 4) { arena, scratchpad in
            let product = (scratchpad + offset).assumingMemoryBound(to: Float.self)
            try matMul.execute(a: input.operand.pointer(arena), b: nil, destination: product, scratchpad: scratchpad)
            let y = output.floats(arena)
            // Input pixel (image, row, column) fills output rows row·kh + i, columns column·kw ..< +kw.
            Parallel.forEachChunk(n * h, grain: 8) { rows in
                for imageRow in rows {
                    let (image, row) = imageRow.quotientAndRemainder(dividingBy: h)
                    for column in 0..<w {
                        let source = product + (imageRow * w + column) * columns
                        for i in 0..<kh {
                            let target = y + ((image * h * kh + row * kh + i) * w * kw + column * kw) * cout
                            if rowFloats >= 16 {
                                target.update(from: source + i * rowFloats, count: rowFloats)
                            } else {  // a few floats (one output channel: 2): a call to memmove costs more
                                for k in 0..<rowFloats { target[k] = source[i * rowFloats + k] }
                            }
                        }
                    }
                }
            }
        }
    }

    /// [Cin, Cout, kh, kw] → [Cin, kh·kw·Cout]: B[ci, (i·kw + j)·Cout + co] = W[ci, co, i, j].
    private static func patchWeights(_ weights: Tensor) -> Tensor {
        let (cin, cout, kh, kw) = (weights.shape[0], weights.shape[1], weights.shape[2], weights.shape[3])
        let source = weights.scalars(as: Float.self)
        var b = [Float](repeating: 0, count: weights.count)
        for ci in 0..<cin {
            for co in 0..<cout {
                for i in 0..<kh {
                    for j in 0..<kw {
                        b[ci * kh * kw * cout + (i * kw + j) * cout + co] = source[((ci * cout + co) * kh + i) * kw + j]
                    }
                }
            }
        }
        return Tensor(shape: [cin, kh * kw * cout], scalars: b)
    }

    /// bias [Cout] repeated for each of the `times` kernel positions.
    private static func tiledBias(_ bias: Tensor, times: Int) -> Tensor {
        let values = bias.scalars(as: Float.self)
        let tiled = Array([[Float]](repeating: values, count: times).joined())
        return Tensor(shape: [tiled.count], scalars: tiled)
    }
}
