// The window attributes of ONNX Conv-like and pooling nodes (kernel_shape, strides, dilations,
// pads, auto_pad) resolved into explicit per-axis values for the core ops.

import EFCore
import EFIR

/// Explicit window parameters of one node.
struct WindowAttributes {
    var kernel: [Int]
    var strides: [Int]
    var dilations: [Int]
    /// [begin per axis..., end per axis...]
    var pads: [Int]

    /// How auto_pad's SAME modes size the padding: conv uses the dilated kernel, pooling (as the
    /// ONNX reference) the plain kernel.
    enum SameRule { case dilatedKernel, plainKernel }

    /// Reads and resolves the window of `node` for an input of spatial shape `spatial`.
    /// - Parameters:
    ///   - kernel: the kernel from the weights, or nil when it must come from `kernel_shape`.
    /// - Throws: `EdgeflowError.invalidModel` for missing or inconsistent attributes,
    ///   `.unsupported` for an unknown auto_pad.
    init(_ node: OnnxNode, spatial: [Int], kernel weightKernel: [Int]?, same: SameRule) throws {
        let rank = spatial.count
        let what = "\(node.opType) node '\(node.displayName)'"
        let declared = try node.attributeInts("kernel_shape")
        if let weightKernel, let declared, declared != weightKernel {
            throw EdgeflowError(.invalidModel,
                "\(what): kernel_shape \(declared) differs from the weight's kernel \(weightKernel)")
        }
        guard let kernel = weightKernel ?? declared else {
            throw EdgeflowError(.invalidModel, "\(what) lacks kernel_shape")
        }
        func list(_ key: String, _ count: Int, _ fill: Int) throws -> [Int] {
            let values = try node.attributeInts(key) ?? []
            if values.isEmpty { return [Int](repeating: fill, count: count) }
            guard values.count == count else {
                throw EdgeflowError(.invalidModel, "\(what): \(key) has \(values.count) entries, expected \(count)")
            }
            return values
        }
        guard kernel.count == rank else {
            throw EdgeflowError(.invalidModel,
                "\(what): kernel \(kernel) has \(kernel.count) dims but the input has \(rank) spatial dims")
        }
        self.kernel = kernel
        strides = try list("strides", rank, 1)
        dilations = try list("dilations", rank, 1)
        let explicitPads = try list("pads", 2 * rank, 0)
        // Bounds that keep the size arithmetic here and in the shape rules far from overflow.
        guard (spatial + kernel + strides + dilations).allSatisfy({ $0 <= 1 << 30 }),
              explicitPads.allSatisfy({ (-(1 << 30)...(1 << 30)).contains($0) }) else {
            throw EdgeflowError(.invalidModel,
                "\(what): input \(spatial), kernel \(kernel), strides \(strides), dilations \(dilations) or pads \(explicitPads) exceed 2^30")
        }
        guard strides.allSatisfy({ $0 >= 1 }), dilations.allSatisfy({ $0 >= 1 }) else {
            throw EdgeflowError(.invalidModel, "\(what): strides \(strides) and dilations \(dilations) must be ≥ 1")
        }
        let autoPad = try node.attributeString("auto_pad") ?? "NOTSET"
        switch autoPad {
        case "NOTSET", "":
            pads = explicitPads
        case "VALID":
            pads = [Int](repeating: 0, count: 2 * rank)
        case "SAME_UPPER", "SAME_LOWER":
            var begin: [Int] = [], end: [Int] = []
            for a in 0..<rank {
                let out = (spatial[a] + strides[a] - 1) / strides[a]
                let extent = same == .dilatedKernel ? (kernel[a] - 1) * dilations[a] + 1 : kernel[a]
                let total = max(0, (out - 1) * strides[a] + extent - spatial[a])
                let small = total / 2, large = total - total / 2
                begin.append(autoPad == "SAME_UPPER" ? small : large)
                end.append(autoPad == "SAME_UPPER" ? large : small)
            }
            pads = begin + end
        default:
            throw EdgeflowError(.unsupported,
                "\(what): auto_pad '\(autoPad)' is not NOTSET, VALID, SAME_UPPER or SAME_LOWER")
        }
    }

    /// The core op parameters `strides`, `dilations`, `pads`.
    var attributes: Attributes {
        ["strides": .ints(strides), "dilations": .ints(dilations), "pads": .ints(pads)]
    }
}

extension ImportContext {
    /// The spatial dims of a [N, C, spatial...] value, checked to number 1–3.
    func spatialDims(_ value: String, of node: OnnxNode) throws -> [Int] {
        let shape = try type(value).shape
        guard shape.count >= 3, shape.count <= 5 else {
            throw EdgeflowError(.unsupported,
                "\(node.opType) node '\(node.displayName)': input \(shape.shapeDescription) needs 1–3 spatial dims ([N, C, spatial...])")
        }
        return Array(shape.dropFirst(2))
    }
}
