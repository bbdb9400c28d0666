// ONNX importers for the Linear op group: Conv, ConvTranspose, MatMul, Gemm (lowered onto
// transpose, matMul and binary mul/add) and the pooling ops.

import EFCore
import EFIR

enum LinearImporters {
    static let table: [String: OpImporter] = [
        "Conv": importConv, "ConvTranspose": importConvTranspose, "MatMul": importMatMul, "Gemm": importGemm,
        "MaxPool": pool("max"), "AveragePool": pool("avg"), "LpPool": pool("lp"), "GlobalLpPool": importGlobalLpPool,
    ]

    static func importConv(_ node: OnnxNode, _ ctx: ImportContext) throws {
        let x = try ctx.requiredInput(node, 0, "X"), w = try ctx.requiredInput(node, 1, "W")
        let window = try WindowAttributes(node, spatial: try ctx.spatialDims(x, of: node),
                                          kernel: Array(try ctx.type(w).shape.dropFirst(2)), same: .dilatedKernel)
        var attributes = window.attributes
        attributes["group"] = .int(try node.attributeInt("group") ?? 1)
        try ctx.emit(.conv, [x, w, ctx.input(node, 2) ?? ""], attributes, outputs: [node.outputs[0]], from: node)
    }

    static func importConvTranspose(_ node: OnnxNode, _ ctx: ImportContext) throws {
        let x = try ctx.requiredInput(node, 0, "X"), w = try ctx.requiredInput(node, 1, "W")
        let spatial = try ctx.spatialDims(x, of: node)
        let kernel = Array(try ctx.type(w).shape.dropFirst(2))
        let rank = spatial.count
        let autoPad = try node.attributeString("auto_pad") ?? "NOTSET"
        let same = autoPad == "SAME_UPPER" || autoPad == "SAME_LOWER"
        // SAME is resolved below from the output size (the window reader's conv rule does not apply).
        var window = try WindowAttributes(node, spatial: spatial, kernel: kernel, same: .dilatedKernel)
        let outputPadding = try node.attributeInts("output_padding") ?? [Int](repeating: 0, count: rank)
        guard outputPadding.count == rank, outputPadding.allSatisfy({ (-(1 << 30)...(1 << 30)).contains($0) }) else {
            throw EdgeflowError(.invalidModel,
                "ConvTranspose node '\(node.displayName)': output_padding \(outputPadding) needs \(rank) entries below 2^30")
        }
        let declaredOutput = try node.attributeInts("output_shape").map { Array($0.suffix(rank)) }
        let explicitPads = try node.attributeInts("pads")
        if same, let explicitPads {
            // The ONNX reference lets explicit pads win over auto_pad.
            guard explicitPads.count == 2 * rank else {
                throw EdgeflowError(.invalidModel, "ConvTranspose node '\(node.displayName)': pads needs \(2 * rank) entries")
            }
            window.pads = explicitPads
        }
        if let declaredOutput,
           declaredOutput.count != rank || !declaredOutput.allSatisfy({ (-(1 << 30)...(1 << 30)).contains($0) }) {
            throw EdgeflowError(.invalidModel,
                "ConvTranspose node '\(node.displayName)': output_shape \(declaredOutput) needs \(rank) spatial dims below 2^30")
        }
        for axis in 0..<rank {
            // The output size with no padding, as the ONNX reference computes it.
            let dilatedKernel: Int = (kernel[axis] - 1) * window.dilations[axis] + 1
            let natural: Int = window.strides[axis] * (spatial[axis] - 1) + outputPadding[axis] + dilatedKernel
            if same && explicitPads == nil {
                let target: Int = declaredOutput?[axis] ?? spatial[axis] * window.strides[axis]
                let total = natural - target
                let small = floorHalf(total), large = total - small
                window.pads[axis] = autoPad == "SAME_UPPER" ? small : large
                window.pads[axis + rank] = autoPad == "SAME_UPPER" ? large : small
            } else if let declaredOutput {
                // Explicit (or zero) begin pads; the end pad makes the output exactly output_shape.
                window.pads[axis + rank] = natural - window.pads[axis] - declaredOutput[axis]
            }
        }
        var attributes = window.attributes
        attributes["group"] = .int(try node.attributeInt("group") ?? 1)
        attributes["outputPadding"] = .ints(outputPadding)
        try ctx.emit(.convTranspose, [x, w, ctx.input(node, 2) ?? ""], attributes, outputs: [node.outputs[0]], from: node)
    }

    /// Python's floor division by 2, which the ONNX reference uses to split the SAME padding.
    private static func floorHalf(_ value: Int) -> Int { value >= 0 ? value / 2 : -((-value + 1) / 2) }

    static func importMatMul(_ node: OnnxNode, _ ctx: ImportContext) throws {
        let a = try ctx.requiredInput(node, 0, "A"), b = try ctx.requiredInput(node, 1, "B")
        try ctx.emit(.matMul, [a, b], outputs: [node.outputs[0]], from: node)
    }

    /// Y = alpha · A' · B' + beta · C, with A' and B' optionally transposed.
    static func importGemm(_ node: OnnxNode, _ ctx: ImportContext) throws {
        var a = try ctx.requiredInput(node, 0, "A"), b = try ctx.requiredInput(node, 1, "B")
        let dtype = try ctx.type(a).dtype
        guard dtype.isFloatingPoint else {
            throw EdgeflowError(.unsupported,
                "Gemm node '\(node.displayName)' on \(dtype.rawValue) is not supported (float types are)")
        }
        if try node.attributeInt("transA") ?? 0 != 0 {
            a = try ctx.emit(.transpose, [a], ["perm": .ints([1, 0])], from: node, hint: "A_transposed")
        }
        if try node.attributeInt("transB") ?? 0 != 0 {
            b = try ctx.emit(.transpose, [b], ["perm": .ints([1, 0])], from: node, hint: "B_transposed")
        }
        let alpha = try node.attributeFloat("alpha") ?? 1, beta = try node.attributeFloat("beta") ?? 1
        let c = beta == 0 ? nil : ctx.input(node, 2)
        let output = node.outputs[0]
        // Each step writes the node's output when it is the last one.
        func step(_ op: OpType, _ inputs: [String], _ attributes: Attributes, last: Bool, hint: String) throws -> String {
            if last {
                try ctx.emit(op, inputs, attributes, outputs: [output], from: node)
                return output
            }
            return try ctx.emit(op, inputs, attributes, from: node, hint: hint)
        }
        var product = try step(.matMul, [a, b], [:], last: alpha == 1 && c == nil, hint: "product")
        if alpha != 1 {
            let alphaValue = ctx.addConstant(scalar(alpha, dtype), hint: "\(node.displayName)/alpha")
            product = try step(.binary, [product, alphaValue], ["fn": .string("mul")], last: c == nil, hint: "scaled")
        }
        guard var bias = c else { return }
        if beta != 1 {
            let betaValue = ctx.addConstant(scalar(beta, dtype), hint: "\(node.displayName)/beta")
            bias = try ctx.emit(.binary, [bias, betaValue], ["fn": .string("mul")], from: node, hint: "bias_scaled")
        }
        _ = try step(.binary, [product, bias], ["fn": .string("add")], last: true, hint: "sum")
    }

    private static func scalar(_ value: Float, _ dtype: DType) -> Tensor {
        switch dtype {
        case .float64: return Tensor(scalar: Double(value))
        case .float16: return Tensor(scalar: Float16(value))
        case .bfloat16: return Tensor(scalar: BFloat16(value))
        default: return Tensor(scalar: value)
        }
    }

    /// MaxPool (with its Indices output when requested; storage_order picks their layout),
    /// AveragePool and LpPool.
    static func pool(_ kind: String) -> OpImporter {
        { node, ctx in
            let x = try ctx.requiredInput(node, 0, "X")
            let window = try WindowAttributes(node, spatial: try ctx.spatialDims(x, of: node), kernel: nil, same: .plainKernel)
            var attributes = window.attributes
            attributes["kind"] = .string(kind)
            attributes["kernel"] = .ints(window.kernel)
            attributes["ceilMode"] = .int(try node.attributeInt("ceil_mode") ?? 0)
            attributes["countIncludePad"] = .int(try node.attributeInt("count_include_pad") ?? 0)
            if kind == "lp" { attributes["p"] = .float(try lpExponent(node)) }
            var outputs = [node.outputs[0]]
            if kind == "max" && node.outputs.count > 1 && !node.outputs[1].isEmpty {
                let storageOrder = try node.attributeInt("storage_order") ?? 0
                guard storageOrder == 0 || storageOrder == 1 else {
                    throw LoweringSupport.invalid(node, "storage_order must be 0 or 1, got \(storageOrder)")
                }
                attributes["storageOrder"] = .int(storageOrder)
                outputs.append(node.outputs[1])
            }
            try ctx.emit(.pool, [x], attributes, outputs: outputs, from: node)
        }
    }

    /// GlobalLpPool: Lp pooling with the window covering all spatial dims.
    static func importGlobalLpPool(_ node: OnnxNode, _ ctx: ImportContext) throws {
        let x = try ctx.requiredInput(node, 0, "X")
        let spatial = try ctx.spatialDims(x, of: node)
        let attributes: Attributes = ["kind": .string("lp"), "kernel": .ints(spatial),
                                      "p": .float(try lpExponent(node))]
        try ctx.emit(.pool, [x], attributes, outputs: [node.outputs[0]], from: node)
    }

    /// LpPool's p: an int since opset 2, a float in opset 1 (attributeFloat accepts both).
    private static func lpExponent(_ node: OnnxNode) throws -> Float {
        try node.attributeFloat("p") ?? 2
    }
}
