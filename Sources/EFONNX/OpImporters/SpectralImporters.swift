// ONNX's signal operators: DFT (opset 17 and 20: forward, inverse, one-sided and the inverse of a
// one-sided spectrum), STFT, and the Hann, Hamming and Blackman windows. A DFT of static length N
// is a matMul with a constant [c·L, c'·K] matrix of cosines and sines (made in double with the
// angle reduced mod N), so it runs on the fast matMul; complex values are a trailing [2]
// (real, imaginary) as ONNX holds them. The windows and MelWeightMatrix fold to constants.

import EFCore
import EFIR
import Foundation

enum SpectralImporters {
    static let table: [String: OpImporter] = [
        "DFT": importDFT, "STFT": importSTFT,
        "HannWindow": window(.hann), "HammingWindow": window(.hamming), "BlackmanWindow": window(.blackman),
        "MelWeightMatrix": MelWeightMatrixImporter.importMelWeightMatrix,
    ]

    /// DFT(input [..., L, ..., 1|2], dft_length?, axis?): along `axis` (an attribute before opset
    /// 20, default 1; input 2 from 20, default −2), of length N (dft_length, else L, else
    /// 2(L − 1) for the inverse of a one-sided spectrum). The output is [..., K, ..., 2] (K = N,
    /// or N/2 + 1 when one-sided), or [..., N, ..., 1] real for an inverse one-sided DFT.
    static func importDFT(_ node: OnnxNode, _ ctx: ImportContext) throws {
        let x = try ctx.requiredInput(node, 0, "input"), type = try ctx.type(x)
        let inverse = try node.attributeInt("inverse") ?? 0 != 0
        let onesided = try node.attributeInt("onesided") ?? 0 != 0
        var axis = try node.attributeInt("axis") ?? 1
        if ctx.opset >= 20 {
            axis = try ctx.constantInput(node, 2, "axis").map { try scalar($0, node, "axis") } ?? -2
        }
        let rank = type.shape.count
        guard rank >= 2 else { throw LoweringSupport.invalid(node, "input \(type) needs a signal axis and [1|2]") }
        axis = axis < 0 ? axis + rank : axis
        guard (0..<(rank - 1)).contains(axis) else {
            throw LoweringSupport.invalid(node, "axis \(axis) must name a signal axis of \(type) (not the last)")
        }
        let given = try ctx.constantInput(node, 1, "dft_length").map { try scalar($0, node, "dft_length") }
        let length = given ?? (inverse && onesided ? 2 * (type.shape[axis] - 1) : type.shape[axis])
        let transform = DFTTransform(length: length, inverse: inverse, onesided: onesided)
        try emitDFT(x, axis: axis, transform, ctx, node, output: try ElementwiseImporters.output(node))
    }

    /// STFT(signal [B, L, 1|2], frame_step, window? [F], frame_length?): frames of F samples every
    /// frame_step (1 + (L − F) / step of them), each times the window, transformed: [B, frames, K, 2].
    static func importSTFT(_ node: OnnxNode, _ ctx: ImportContext) throws {
        let x = try ctx.requiredInput(node, 0, "signal"), type = try ctx.type(x)
        let step = try scalar(try ctx.requiredConstantInput(node, 1, "frame_step"), node, "frame_step")
        let window = ctx.input(node, 2)
        let windowLength = try window.map { try ctx.type($0).shape }
        let given = try ctx.constantInput(node, 3, "frame_length").map { try scalar($0, node, "frame_length") }
        guard type.shape.count == 3, let signalLength = type.shape.dropLast().last else {
            throw LoweringSupport.invalid(node, "signal \(type) must be [batch, length, 1 or 2]")
        }
        let frameLength = given ?? windowLength?.first ?? signalLength
        guard step > 0, (1...signalLength).contains(frameLength) else {
            throw LoweringSupport.invalid(node, "frame_step \(step) and frame_length \(frameLength) must be positive, "
                + "the frame at most the signal's \(signalLength) samples")
        }
        if let windowLength, windowLength != [frameLength] {
            throw LoweringSupport.invalid(node, "window \(windowLength) must be [\(frameLength)]")
        }
        let frames = 1 + (signalLength - frameLength) / step
        _ = try ConstantTensors.checkedCount(Double(frames) * Double(frameLength), ctx, node, elementSize: 8)
        var starts: [Int64] = []
        starts.reserveCapacity(frames * frameLength)
        for frame in 0..<frames { for t in 0..<frameLength { starts.append(Int64(frame * step + t)) } }
        let indices = ctx.addConstant(Tensor(shape: [frames, frameLength], scalars: starts),
                                      hint: "\(node.displayName)/frame_indices")
        var framed = try ctx.emit(.gather, [x, indices], ["axis": .int(1)], from: node, hint: "frames")
        if let window {
            let shaped = try LoweringSupport.reshape(window, to: [1, 1, frameLength, 1], ctx, node, hint: "window")
            framed = try ctx.emit(.binary, [framed, shaped], ["fn": .string("mul")], from: node, hint: "windowed")
        }
        let onesided = try node.attributeInt("onesided") ?? 1 != 0
        let transform = DFTTransform(length: frameLength, inverse: false, onesided: onesided)
        try emitDFT(framed, axis: 2, transform, ctx, node, output: try ElementwiseImporters.output(node))
    }

    /// Emits the DFT of `x` along `axis` into `output`: the axis cropped or zero-padded to the
    /// transform's input length, moved last beside the complex axis, one matMul, moved back.
    static func emitDFT(_ x: String, axis: Int, _ transform: DFTTransform, _ ctx: ImportContext,
                        _ node: OnnxNode, output: String) throws {
        let type = try ctx.type(x), rank = type.shape.count
        let parts = type.shape[rank - 1]
        guard parts == 1 || parts == 2 else {
            throw LoweringSupport.invalid(node, "input \(type) must end in 1 (real) or 2 (complex)")
        }
        guard type.dtype == .float32 || type.dtype == .float64 else {
            throw LoweringSupport.unsupported(node, "\(type.dtype.rawValue) input (float32 and float64 are supported)")
        }
        guard transform.length > 0 else { throw LoweringSupport.invalid(node, "dft_length \(transform.length)") }
        let rows = transform.inputLength, columns = transform.outputLength
        let entries = Double(parts * rows) * Double(transform.outputParts * columns)
        _ = try ConstantTensors.checkedCount(entries, ctx, node, elementSize: 8)

        var pads = [Int](repeating: 0, count: 2 * rank)
        pads[rank + axis] = rows - type.shape[axis]
        let fitted = pads[rank + axis] == 0 ? x
            : try ctx.emit(.pad, [x], ["pads": .ints(pads)], from: node, hint: "fitted")
        let others = (0..<(rank - 1)).filter { $0 != axis }
        let perm = others + [rank - 1, axis]
        let moved = try ctx.emit(.transpose, [fitted], ["perm": .ints(perm)], from: node, hint: "signal_last")
        let batch = others.map { type.shape[$0] }
        let flat = try LoweringSupport.reshape(moved, to: batch + [parts * rows], ctx, node, hint: "signal_rows")
        let matrix = try LoweringSupport.converted(transform.matrix(inputParts: parts), type.dtype,
                                                   shape: [parts * rows, transform.outputParts * columns])
        let weight = ctx.addConstant(matrix, hint: "\(node.displayName)/dft_matrix")
        let product = try ctx.emit(.matMul, [flat, weight], from: node, hint: "spectrum")
        let split = try LoweringSupport.reshape(product, to: batch + [transform.outputParts, columns], ctx, node,
                                                hint: "spectrum_parts")
        var back = [Int](repeating: 0, count: rank)
        for (position, source) in perm.enumerated() { back[source] = position }
        try ctx.emit(.transpose, [split], ["perm": .ints(back)], outputs: [output], from: node)
    }

    /// A scalar (or one-element) integer constant.
    private static func scalar(_ tensor: Tensor, _ node: OnnxNode, _ role: String) throws -> Int {
        let values = try LoweringSupport.intValues(tensor, node, role)
        guard values.count == 1 else { throw LoweringSupport.invalid(node, "\(role) must be a scalar") }
        return values[0]
    }

    enum WindowKind { case hann, hamming, blackman }

    /// HannWindow/HammingWindow/BlackmanWindow(size): a constant [size] of `output_datatype`
    /// (default float), periodic (N = size, the default) or symmetric (N = size − 1).
    static func window(_ kind: WindowKind) -> OpImporter {
        return { node, ctx in
            let size = try scalar(try ctx.requiredConstantInput(node, 0, "size"), node, "size")
            let code = try node.attributeInt("output_datatype") ?? 1
            guard let dtype = OnnxDataType.dtype(code), dtype.isFloatingPoint || dtype.isInteger else {
                throw LoweringSupport.unsupported(node, "output_datatype \(code)")
            }
            let count = try ConstantTensors.checkedCount(Double(size), ctx, node, elementSize: 8)
            let span = Double(try node.attributeInt("periodic") ?? 1 != 0 ? size : size - 1)
            let values = (0..<count).map { n -> Double in
                let angle = 2 * Double.pi * Double(n) / span
                switch kind {
                case .hann: return pow(sin(Double.pi * Double(n) / span), 2)
                case .hamming: return 25.0 / 46.0 - 21.0 / 46.0 * cos(angle)
                case .blackman: return 0.42 - 0.5 * cos(angle) + 0.08 * cos(2 * angle)
                }
            }
            ctx.addWeight(try ElementwiseImporters.output(node), try LoweringSupport.converted(values, dtype,
                                                                                                 shape: [count]))
        }
    }
}
