// ONNX MaxUnpool lowered onto scatterElements: every value of X goes to the position its index
// names in the flattened unpooled tensor [N, C, (in − 1)·stride − pads + kernel ...] (indices as
// MaxPool gives them: over the whole tensor, batch and channel included), the rest zeros; with
// output_shape, that tensor is zero-padded at the end of each axis up to it.

import EFCore
import EFIR

enum MaxUnpoolImporter {
    static let table: [String: OpImporter] = ["MaxUnpool": importMaxUnpool]

    static func importMaxUnpool(_ node: OnnxNode, _ ctx: ImportContext) throws {
        let x = try ctx.requiredInput(node, 0, "X"), indices = try ctx.requiredInput(node, 1, "I")
        let type = try ctx.type(x), shape = type.shape
        let kernel = try LoweringSupport.requiredInts(node, "kernel_shape"), r = kernel.count
        let strides = try node.attributeInts("strides") ?? Array(repeating: 1, count: r)
        let pads = try node.attributeInts("pads") ?? Array(repeating: 0, count: 2 * r)
        guard shape.count == r + 2, strides.count == r, pads.count == 2 * r, try ctx.type(indices).shape == shape,
              kernel.allSatisfy({ $0 > 0 }), strides.allSatisfy({ $0 > 0 }), pads.allSatisfy({ $0 >= 0 }) else {
            throw LoweringSupport.invalid(node, "X \(type), kernel \(kernel), strides \(strides) and pads \(pads) do "
                + "not fit (I must have X's shape)")
        }
        let unpooled = Array(shape.prefix(2)) + (0..<r).map {
            (shape[$0 + 2] - 1) * strides[$0] - pads[$0] - pads[r + $0] + kernel[$0]
        }
        guard unpooled.allSatisfy({ $0 > 0 }) else { throw LoweringSupport.invalid(node, "gives shape \(unpooled)") }
        let total = try CheckedSize.product(unpooled, "MaxUnpool node '\(node.displayName)'", kind: .invalidModel)
        let count = try CheckedSize.product(shape, "MaxUnpool node '\(node.displayName)'", kind: .invalidModel)
        let zeros = try LoweringSupport.constant(0, type.dtype, shape: [total], ctx, node, hint: "zeros")
        let flatIndices = try LoweringSupport.reshape(indices, to: [count], ctx, node, hint: "indices")
        let flatValues = try LoweringSupport.reshape(x, to: [count], ctx, node, hint: "values")
        let scattered = try ctx.emit(.scatterElements, [zeros, flatIndices, flatValues], ["axis": .int(0)],
                                     from: node, hint: "scattered")
        let output = try ElementwiseImporters.output(node)
        guard let requested = try ctx.constantInput(node, 2, "output_shape") else {
            _ = try LoweringSupport.reshape(scattered, to: unpooled, ctx, node, hint: "output", output: output)
            return
        }
        let target = try LoweringSupport.intValues(requested, node, "output_shape")
        guard target.count == unpooled.count, zip(target, unpooled).allSatisfy({ $0 >= $1 }) else {
            throw LoweringSupport.invalid(node, "output_shape \(target) must hold the unpooled shape \(unpooled)")
        }
        let shaped = try LoweringSupport.reshape(scattered, to: unpooled, ctx, node, hint: "unpooled")
        let padding = Array(repeating: 0, count: unpooled.count) + zip(target, unpooled).map { $0 - $1 }
        try ctx.emit(.pad, [shaped], ["pads": .ints(padding)], outputs: [output], from: node)
    }
}
