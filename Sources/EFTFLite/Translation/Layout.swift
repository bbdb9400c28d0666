// NHWC (TFLite) ↔ NCHW (the imported graph) for 4-D tensors: the permutations, constant
// tensors permuted at import time with EFKernels' transpose, axes remapped, and the transpose
// nodes emitted where an op needs TFLite's memory order.

import EFCore
import EFKernels
import EFONNX

enum Layout {
    /// NHWC → NCHW.
    static let toNCHWPerm = [0, 3, 1, 2]
    /// NCHW → NHWC.
    static let toNHWCPerm = [0, 2, 3, 1]

    /// A 4-D constant in NHWC order permuted to NCHW.
    static func toNCHW(_ tensor: Tensor) throws -> Tensor { try Kernels.transpose(tensor, perm: toNCHWPerm) }

    /// The NCHW axis of NHWC axis `axis` of a 4-D tensor (negative axes counted from the end).
    static func nchwAxis(_ axis: Int, rank: Int) -> Int {
        let positive = axis < 0 ? axis + rank : axis
        guard rank == 4 else { return positive }
        return [0, 2, 3, 1][positive]
    }

    /// A constant broadcast against a 4-D operand: left-padded with 1s to rank 4, then
    /// permuted to NCHW (a per-channel [C] becomes [1, C, 1, 1]).
    static func broadcastable(_ tensor: Tensor) throws -> Tensor {
        guard tensor.rank <= 4 else { return tensor }
        let padded = tensor.reshaped(Array(repeating: 1, count: 4 - tensor.rank) + tensor.shape)
        return try toNCHW(padded)
    }
}

extension TranslationContext {
    static let perm = "perm"

    /// The value of tensor `index` in TFLite's own (NHWC) order: a transpose for 4-D tensors.
    func valueInTFLiteOrder(_ index: Int) throws -> String {
        let value = try value(index)
        guard rank(index) == 4 else { return value }
        return emit("Transpose", [value], [Self.perm: .ints(Layout.toNHWCPerm)], hint: "\(value)/nhwc")
    }

    /// Produces tensor `index` with `make`, which computes it in TFLite's order into the name it
    /// is given (nil: a fresh name, for a 4-D tensor that is then transposed to NCHW).
    func produceInTFLiteOrder(_ index: Int, _ make: (_ output: String?) throws -> String) rethrows {
        guard rank(index) == 4 else {
            _ = try make(outputName(index))
            return
        }
        let value = try make(nil)
        emit("Transpose", [value], [Self.perm: .ints(Layout.toNCHWPerm)], output: outputName(index), hint: value)
    }

    /// The value of input tensor `index` as an operand of an elementwise op whose output has
    /// rank `outputRank`: constants broadcast in NCHW form, run-time values of a lower rank
    /// reshaped to rank 4 and transposed.
    func broadcastOperand(_ index: Int, outputRank: Int) throws -> String {
        guard outputRank == 4, rank(index) < 4 else { return try value(index) }
        if let constant = constant(index) {
            return addInitializer(try Layout.broadcastable(constant), hint: tensor(index).name)
        }
        let padded = Array(repeating: 1, count: 4 - rank(index)) + shape(index)
        let reshaped = emit("Reshape", [try value(index), int64s(padded, hint: "shape")], hint: tensor(index).name)
        return emit("Transpose", [reshaped], [Self.perm: .ints(Layout.toNCHWPerm)], hint: reshaped)
    }
}
