// The fused float tail of an int8 product: dequantize the accumulators, then run the float
// stages that followed it (a residual add, a scalar affine, an activation), write float32 and
// quantize to u8. Each stage is the same lane-wise IEEE arithmetic as its own kernel
// (dequantizeAccumulators, the binary kernels, unary, quantizeLinearU8), so the bytes equal those
// kernels run one after another; the chain runs piece by piece through a small buffer, so the
// float32 intermediates stay in L1. The chain's types (EpilogueChainTypes.swift) exist once, in
// EFKernels: the AVX2/AVX-512 builds of this file take the same values.

import EFCore

extension FastKernels {
    /// Elements of float32 one piece of the chain holds (16 KiB: well inside L1).
    static let chainPiece = 4096

    /// t = Float(acc[i] &+ bias[c]) · scales[c] (c = (i / inner) % channels, as
    /// `dequantizeAccumulators`), then each stage, then floatOutput[i] = t and
    /// quantizedOutput[i] = quantizeLinearU8(t): bit-identical to those kernels in turn.
    /// - Parameters: as `dequantizeAccumulators`.
    /// - Throws: `EdgeflowError.invalidInput` for inconsistent sizes, no output, or a stage no
    ///   kernel here implements.
    public static func dequantizeChain(_ accumulators: UnsafePointer<Int32>, bias: UnsafePointer<Int32>?,
                                       scales: UnsafePointer<Float>, channels: Int, inner: Int, count: Int,
                                       chain: EpilogueChain) throws {
        try checkEpilogue(channels: channels, inner: inner, count: count, what: "dequantizeChain")
        guard chain.floatOutput != nil || chain.quantizedOutput != nil else {
            throw EdgeflowError(.invalidInput, "dequantizeChain needs a float32 or a u8 output")
        }
        for stage in chain.stages {
            switch stage {
            case .binary(let fn, _, _, _) where !EpilogueStage.takes(fn):
                throw EdgeflowError(.invalidInput, "dequantizeChain: no chain stage for binary \(fn.rawValue)")
            case .unary(let fn, _) where !supportsUnary(fn):
                throw EdgeflowError(.invalidInput, "dequantizeChain: no fast kernel for \(fn.rawValue)")
            default: break
            }
        }
        // Pieces: whole rows of `channels` (inner 1), or parts of one channel's plane.
        let rowsPerPiece = max(1, chainPiece / channels)
        let pieceLength = inner == 1 ? rowsPerPiece * channels : min(inner, chainPiece)
        let piecesPerPlane = inner == 1 ? 1 : (inner + pieceLength - 1) / pieceLength
        let pieces = inner == 1 ? (count + pieceLength - 1) / pieceLength : count / inner * piecesPerPlane
        Parallel.forEachChunk(pieces, grain: max(1, streamingGrain / pieceLength)) { range in
            withUnsafeTemporaryAllocation(of: Float.self, capacity: pieceLength) { buffer in
                for piece in range {
                    let start: Int, length: Int
                    if inner == 1 {
                        start = piece * pieceLength
                        length = min(pieceLength, count - start)
                    } else {
                        let (plane, part) = piece.quotientAndRemainder(dividingBy: piecesPerPlane)
                        start = plane * inner + part * pieceLength
                        length = min(pieceLength, inner - part * pieceLength)
                    }
                    let t = buffer.baseAddress!
                    if inner == 1 {
                        for row in stride(from: 0, to: length, by: channels) {
                            dequantizeRow(accumulators + start + row, bias, scales, channels, into: t + row)
                        }
                    } else {
                        let channel = (start / inner) % channels
                        dequantizeRun(accumulators + start, bias?[channel] ?? 0, scales[channel], length, into: t)
                    }
                    finishChain(t, start: start, length: length, chain)
                }
            }
        }
    }

    /// The stages and outputs after the dequantization, over `length` floats at `t` (element
    /// `start` of the chain).
    @inline(__always)
    private static func finishChain(_ t: UnsafeMutablePointer<Float>, start: Int, length: Int,
                                    _ chain: EpilogueChain) {
        for stage in chain.stages {
            switch stage {
            case .binary(let fn, let operand, let scalar, let operandFirst):
                binaryStage(fn, t, scalar ? nil : operand + start, scalar ? operand.pointee : 0, operandFirst, length)
            case .unary(let fn, let parameters):
                if fn != .identity { unaryRange(fn, parameters, t, t, 0, length) }
            }
        }
        if let y = chain.floatOutput { (y + start).update(from: t, count: length) }
        if let q = chain.quantizedOutput {
            quantizeU8Range(t, 0, length, scale: chain.scale, zeroPoint: chain.zeroPoint, into: q + start)
        }
    }

    /// t = fn(t, b) or fn(b, t) lane by lane, b from `operand` or the scalar `value`.
    @inline(__always)
    private static func binaryStage(_ fn: BinaryFunction, _ t: UnsafeMutablePointer<Float>,
                                    _ operand: UnsafePointer<Float>?, _ value: Float, _ operandFirst: Bool,
                                    _ length: Int) {
        @inline(__always) func apply(_ f: (FloatVector, FloatVector) -> FloatVector) {
            let v = FloatVector(repeating: value)
            var i = 0
            while i + 8 <= length {
                let b = operand.map { load($0 + i) } ?? v
                store(operandFirst ? f(b, load(t + i)) : f(load(t + i), b), t + i)
                i += 8
            }
            if i < length {
                let n = length - i, b = operand.map { loadPartial($0 + i, n) } ?? v
                storePartial(operandFirst ? f(b, loadPartial(t + i, n)) : f(loadPartial(t + i, n), b), t + i, n)
            }
        }
        switch fn {
        case .add: apply { $0 + $1 }
        case .sub: apply { $0 - $1 }
        case .mul: apply { $0 * $1 }
        default: apply { $0 / $1 }
        }
    }
}
