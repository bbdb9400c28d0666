// Lowering of Edgeflow's int8 ops (quantizedConv, quantizedMatMul) and of per-tensor u8
// quantizeLinear / dequantizeLinear onto exact kernels: oneDNN's u8·s8 → s32 kernels where they
// were measured exact (DNNLInt32Products.exactInt32ISAs: VNNI; never oneDNN's "ref" kernels;
// a conv oneDNN refuses is unfolded and multiplied by its matMul), otherwise the Swift SIMD
// GEMM in this CPU's build (SIMDKernels); then the SIMD epilogue. Large channels-last convs
// (ungrouped ones on that GEMM, and depthwise ones) run block by block of output pixels
// (Int8ConvBlocks), the epilogue on each block. Every output byte equals the
// reference evaluator's. Weights, bias and multipliers must be constants.

import EFCore
import EFKernels
import EFOneDNN
import EFOps

enum QuantizedLowering {
    /// The instruction set of Int8Convolution's own GEMM (grouped convs): the baseline build.
    static let simdISA = "sse2"

    /// - Parameter tail: the float steps after a float32 output that the epilogue runs too.
    static func conv(_ node: PlannedStep, _ context: StepContext, tail: FusedTail? = nil) throws -> any Step {
        guard case .quantizedConv(let p) = node.params else { throw FastLowering.mismatch(node) }
        let (x, y, weights, bias) = try operands(node, context, "x", "w")
        let logical = MatrixLowering.logical(node, x.shape)
        guard logical.count >= 3, weights.rank == logical.count else {
            throw FastPathUnavailable("quantizedConv needs a spatial input")
        }
        let m = weights.shape[0], zp = p.inputZeroPoint, w = p.window
        guard bias.map({ $0.count == m }) ?? true else { throw FastPathUnavailable("quantizedConv bias is not [\(m)]") }
        let spatial = logical.count - 2, pixels = y.shape.elementCount / max(1, logical[0] * m)
        let count = y.shape.elementCount, inner = p.channelsLast ? 1 : pixels
        let dtype = y.dtype.byteSize
        // A batch whose int32 accumulators outgrow L2 (2 MiB) runs image by image, so the epilogue
        // reads them from cache (ResNet-50 and PP-OCRv4 det int8 at batch 8: 3-12 % faster, noisy);
        // unless a fused tail writes over the input of a later image.
        let images = logical[0], largeBatch = images > 1 && count * 4 > 2 << 20
        let byImage = largeBatch && tail?.overlapsProductInput != true
        if DNNLInt32Products.isExactHere, let kernel = try? DNNLInt8ConvolutionS32(
            shape: DNNLConvolutionShape(batch: byImage ? 1 : images, inChannels: logical[1], outChannels: m,
                                        inputSpatial: Array(logical[2...]), kernel: Array(weights.shape[2...]),
                                        strides: w.strides, dilations: w.dilations,
                                        padBegin: w.pads.isEmpty ? [] : Array(w.pads.prefix(spatial)),
                                        padEnd: w.pads.isEmpty ? [] : Array(w.pads.suffix(spatial)), groups: w.group),
            layout: p.channelsLast ? .nhwc : .nchw, weights: weights, sourceZeroPoint: zp),
            !kernel.implementation.hasPrefix("ref"), kernel.outputShape.elementCount * (byImage ? images : 1) == count {
            let epilogue = try QuantizedEpilogue(channels: m, bias: bias ?? [Int32](repeating: 0, count: m),
                                                 multipliers: context.constant(node, 3), output: p.output, tail: tail)
            let offset = (kernel.scratchpadByteCount + 63) / 64 * 64
            let info = context.info(node, kernel: "onednn qu8 conv \(DNNLEngine.effectiveISA) + \(epilogue.name)")
            let runs = byImage ? images : 1, outputs = count / runs, inputs = x.shape.elementCount / runs
            return KernelStep(info: info, scratchpadByteCount: offset + outputs * 4) { arena, scratchpad in
                let acc = scratchpad + offset
                for run in 0..<runs {
                    try kernel.execute(source: x.operand.pointer(arena) + run * inputs, destination: acc,
                                       scratchpad: scratchpad)
                    try epilogue.run(acc.assumingMemoryBound(to: Int32.self), inner: inner, count: outputs,
                                     into: y.operand.pointer(arena) + run * outputs * dtype, arena: arena,
                                     offset: run * outputs)
                }
            }
        }
        let conv: Int8Convolution
        do {
            conv = try Int8Convolution(inputShape: logical, weights: weights,
                                       bias: bias.map { Tensor(shape: [m], scalars: $0) }, zeroPoint: zp, w,
                                       channelsLast: p.channelsLast, winograd: !DNNLInt32Products.isExactHere)
        } catch let error as EdgeflowError {
            throw FastPathUnavailable("int8 conv: \(error.message)")
        }
        guard conv.outputPixels == pixels, conv.batch * pixels * m == count else {
            throw EdgeflowError(.internalError, "int8 conv output differs from the graph's \(y.shape)")
        }
        let epilogue = try QuantizedEpilogue(channels: m, bias: conv.compensatedBias,
                                             multipliers: context.constant(node, 3), output: p.output, tail: tail)
        // oneDNN refused the conv (e.g. a ViT patch embedding: 3 channels, 16×16 stride 16), or
        // runs without it: the unfolded columns go through the best exact GEMM there is.
        // A 3×3 stride-1 conv where oneDNN's product is not exact here runs as a Winograd instead
        // (F(m×m, 3×3): kernel names say m).
        let choice = conv.usesWinograd ? nil : ColumnProductChoice.choose(for: conv, pixels: pixels)
        let gemmName = conv.winogradTile.map { "simd qu8 conv-winograd-f\($0)x3 avx2" }
            ?? choice?.name ?? (conv.isDepthwise ? "qu8 dwconv direct" : "simd qu8 conv-gemm \(simdISA)")
        let perImage = pixels * m
        if conv.isDepthwise || conv.usesWinograd || choice?.takesRowBlocks == true, Int8ConvBlocking.isEnabled,
           let blocks = conv.blocks() {
            // Blocks finish while later ones still read the input: where the tail's (or the
            // conv's) output shares bytes with it, the step copies the input to scratch first.
            let staged = tail?.overlapsProductInput == true || EpilogueFusion.overlap(x, y)
            let info = context.info(node, kernel: "\(gemmName) blocked + \(epilogue.name)")
            let stageOffset = (blocks.scratchpadByteCount + 63) / 64 * 64
            let gemmOffset = stageOffset + (staged ? (x.byteCount + 63) / 64 * 64 : 0)
            return KernelStep(info: info, scratchpadByteCount: gemmOffset + (choice?.scratchpadByteCount ?? 0)) {
                arena, scratchpad in
                var source = UnsafePointer(x.operand.pointer(arena).assumingMemoryBound(to: UInt8.self))
                if staged {
                    let copy = (scratchpad + stageOffset).assumingMemoryBound(to: UInt8.self)
                    copy.update(from: source, count: x.byteCount)
                    source = UnsafePointer(copy)
                }
                let destination = y.operand.pointer(arena), product = choice?.make(scratchpad + gemmOffset)
                for image in 0..<conv.batch {
                    try conv.forEachBlock(source, image: image, blocks: blocks, scratchpad: scratchpad,
                                          product: product) { acc, block in
                        let first = image * perImage + block.lowerBound * m
                        try epilogue.run(acc, inner: 1, count: block.count * m, into: destination + first * dtype,
                                         arena: arena, offset: first)
                    }
                }
            }
        }
        if tail?.overlapsProductInput == true, conv.batch > 1 {
            throw FastPathUnavailable("the fused tail would overwrite the input of a later image")
        }
        let info = context.info(node, kernel: "\(gemmName) + \(epilogue.name)")
        let gemmOffset = (conv.scratchpadByteCount + 63) / 64 * 64
        let scratch = gemmOffset + (choice?.scratchpadByteCount ?? 0)
        return KernelStep(info: info, scratchpadByteCount: scratch) { arena, scratchpad in
            let source = UnsafePointer(x.operand.pointer(arena).assumingMemoryBound(to: UInt8.self))
            let destination = y.operand.pointer(arena)
            let product = choice?.make(scratchpad + gemmOffset)
            for image in 0..<conv.batch {
                let acc = try conv.accumulate(source, image: image, scratchpad: scratchpad, product: product)
                try epilogue.run(acc, inner: inner, count: perImage, into: destination + image * perImage * dtype,
                                 arena: arena, offset: image * perImage)
            }
        }
    }

    static func matMul(_ node: PlannedStep, _ context: StepContext, tail: FusedTail? = nil) throws -> any Step {
        guard case .quantizedMatMul(let p) = node.params else { throw FastLowering.mismatch(node) }
        let (a, y, b, bias) = try operands(node, context, "a", "b")
        guard a.shape.count >= 2, b.rank == 2, a.shape.last == b.shape[0] else {
            throw FastPathUnavailable("quantizedMatMul needs a [..., M, K] and b [K, N]")
        }
        let (k, n) = (b.shape[0], b.shape[1])
        guard bias.map({ $0.count == n }) ?? true else {
            throw FastPathUnavailable("quantizedMatMul bias is not [\(n)]")
        }
        let rows = a.shape.elementCount / max(1, k), count = y.shape.elementCount
        guard rows * n == count else {
            throw EdgeflowError(.internalError, "int8 matMul output \(y.shape) is not [\(rows), \(n)]")
        }
        let packed: SIMDInt8GEMM
        do { packed = try SIMDInt8GEMM(b) } catch let error as EdgeflowError {
            throw FastPathUnavailable("int8 matMul: \(error.message)")
        }
        // Neither kernel subtracts the zero point: b' = bias − zp·Σ_k b[k, n].
        let zp = p.inputZeroPoint, raw = bias ?? [Int32](repeating: 0, count: n)
        let compensated = (0..<n).map { raw[$0] &- zp &* packed.columnSums[$0] }
        let epilogue = try QuantizedEpilogue(channels: n, bias: compensated, multipliers: context.constant(node, 3),
                                             output: p.output, tail: tail)
        if DNNLInt32Products.isExactHere,
           let kernel = try? DNNLInt8MatMulS32(shape: DNNLMatMulShape(a: a.shape, b: b.shape), weights: b),
           !kernel.implementation.hasPrefix("ref"), kernel.outputShape.elementCount == count {
            let offset = (kernel.scratchpadByteCount + 63) / 64 * 64
            let info = context.info(node, kernel: "onednn qu8 gemm \(DNNLEngine.effectiveISA) + \(epilogue.name)")
            return KernelStep(info: info, scratchpadByteCount: offset + count * 4) { arena, scratchpad in
                let acc = scratchpad + offset
                try kernel.execute(a: a.operand.pointer(arena), destination: acc, scratchpad: scratchpad)
                try epilogue.run(acc.assumingMemoryBound(to: Int32.self), inner: 1, count: count,
                                 into: y.operand.pointer(arena), arena: arena)
            }
        }
        let info = context.info(node, kernel: "simd qu8 gemm \(SIMDKernels.isa) + \(epilogue.name)")
        return KernelStep(info: info, scratchpadByteCount: count * 4) { arena, scratchpad in
            let acc = scratchpad.assumingMemoryBound(to: Int32.self)
            try packed.run(a.operand.pointer(arena).assumingMemoryBound(to: UInt8.self), rowStride: k, rows: rows,
                           into: acc, outputRowStride: n)
            try epilogue.run(acc, inner: 1, count: count, into: y.operand.pointer(arena), arena: arena)
        }
    }

    /// float32 → u8 with a constant float32 scalar scale and uint8 scalar zero point (or none).
    static func quantizeLinear(_ node: PlannedStep, _ context: StepContext) throws -> any Step {
        guard case .quantizeLinear(let p) = node.params else { throw FastLowering.mismatch(node) }
        let x = try context.tensor(node.inputs[0]), y = try context.tensor(node.outputs[0])
        guard x.dtype == .float32, y.dtype == .uint8, p.blockSize == 0 else {
            throw FastPathUnavailable("fast quantizeLinear takes float32 → uint8 per tensor")
        }
        let (scale, zeroPoint) = try scalarParameters(node, context, scaleType: .float32)
        let count = y.shape.elementCount
        return KernelStep(info: context.info(node, kernel: "simd qu8 quantize \(SIMDKernels.isa)")) { arena, _ in
            SIMDKernels.quantizeLinearU8(x.floats(arena), count: count, scale: scale, zeroPoint: zeroPoint,
                                         into: y.operand.pointer(arena).assumingMemoryBound(to: UInt8.self))
        }
    }

    /// u8 → float32 with a constant float32 scalar scale and uint8 scalar zero point (or none).
    static func dequantizeLinear(_ node: PlannedStep, _ context: StepContext) throws -> any Step {
        guard case .dequantizeLinear(let p) = node.params else { throw FastLowering.mismatch(node) }
        let x = try context.tensor(node.inputs[0]), y = try context.tensor(node.outputs[0])
        guard x.dtype == .uint8, y.dtype == .float32, p.blockSize == 0 else {
            throw FastPathUnavailable("fast dequantizeLinear takes uint8 → float32 per tensor")
        }
        let (scale, zeroPoint) = try scalarParameters(node, context, scaleType: .float32)
        let table = FastKernels.dequantizeTable(scale: scale, zeroPoint: zeroPoint)
        let count = y.shape.elementCount
        return KernelStep(info: context.info(node, kernel: "simd qu8 dequantize \(simdISA)")) { arena, _ in
            try table.withUnsafeBufferPointer { t in
                try FastKernels.dequantizeLinearU8(x.operand.pointer(arena).assumingMemoryBound(to: UInt8.self),
                                                   count: count, table: t.baseAddress!, tableCount: t.count,
                                                   into: y.floats(arena))
            }
        }
    }

    // MARK: Shared pieces

    /// Input 0 and output 0 (uint8 in; uint8 or float32 out), the constant int8 weights
    /// (input 1) and the constant int32 bias (input 2, nil when absent).
    private static func operands(_ node: PlannedStep, _ context: StepContext, _ input: String, _ weight: String)
        throws -> (StepTensor, StepTensor, Tensor, [Int32]?) {
        guard node.inputs.count >= 4, node.outputs.count == 1 else {
            throw FastPathUnavailable("\(node.op.rawValue) needs 4 inputs and 1 output")
        }
        let x = try context.tensor(node.inputs[0]), y = try context.tensor(node.outputs[0])
        guard x.dtype == .uint8, y.dtype == .uint8 || y.dtype == .float32 else {
            throw FastPathUnavailable("\(node.op.rawValue) \(input) must be uint8")
        }
        guard let w = context.constant(node, 1), w.dtype == .int8 else {
            throw FastPathUnavailable("\(node.op.rawValue) \(weight) computed at run time or not int8")
        }
        guard context.constant(node, 3) != nil else {
            throw FastPathUnavailable("\(node.op.rawValue) multipliers computed at run time")
        }
        guard context.optionalInputName(node, 2) != nil else { return (x, y, w, nil) }
        guard let bias = context.constant(node, 2), bias.dtype == .int32 else {
            throw FastPathUnavailable("\(node.op.rawValue) bias computed at run time or not int32")
        }
        return (x, y, w, bias.scalars(as: Int32.self))
    }

    /// The constant scalar scale (float32) and optional uint8 scalar zero point of a quantizeLinear/dequantizeLinear.
    private static func scalarParameters(_ node: PlannedStep, _ context: StepContext, scaleType: DType) throws
        -> (Float, UInt8) {
        guard let scale = context.constant(node, 1), scale.dtype == scaleType, scale.count == 1, scale.rank <= 1 else {
            throw FastPathUnavailable("\(node.op.rawValue): the scale must be a constant float32 scalar")
        }
        guard context.optionalInputName(node, 2) != nil else { return (scale.scalars(as: Float.self)[0], 0) }
        guard let zp = context.constant(node, 2), zp.dtype == .uint8, zp.count == 1, zp.rank <= 1 else {
            throw FastPathUnavailable("\(node.op.rawValue): the zero point must be a constant uint8 scalar")
        }
        return (scale.scalars(as: Float.self)[0], zp.scalars(as: UInt8.self)[0])
    }
}
