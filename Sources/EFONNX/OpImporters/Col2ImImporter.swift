// ONNX Col2Im (opset 18) lowered onto convTranspose: summing each column of blocks back into
// the image is a transposed convolution of the blocks laid out on their grid, one group per
// image channel, whose weight is one-hot (block position k of channel c feeds kernel tap k).

import EFCore
import EFIR

enum Col2ImImporter {
    static let table: [String: OpImporter] = ["Col2Im": importCol2Im]

    /// input [N, C·K, L] (K = product of block_shape, L = number of blocks) with constant
    /// image_shape and block_shape gives [N, C, image...]. Float inputs (as convTranspose).
    static func importCol2Im(_ node: OnnxNode, _ ctx: ImportContext) throws {
        let x = try ctx.requiredInput(node, 0, "input"), type = try ctx.type(x)
        let image = try LoweringSupport.intValues(try ctx.requiredConstantInput(node, 1, "image_shape"), node,
                                                  "image_shape")
        let block = try LoweringSupport.intValues(try ctx.requiredConstantInput(node, 2, "block_shape"), node,
                                                  "block_shape")
        let r = image.count
        let strides = try node.attributeInts("strides") ?? [Int](repeating: 1, count: r)
        let dilations = try node.attributeInts("dilations") ?? [Int](repeating: 1, count: r)
        let pads = try node.attributeInts("pads") ?? [Int](repeating: 0, count: 2 * r)
        guard r >= 1, block.count == r, strides.count == r, dilations.count == r, pads.count == 2 * r,
              image.allSatisfy({ $0 > 0 }), block.allSatisfy({ $0 > 0 }), strides.allSatisfy({ $0 > 0 }),
              dilations.allSatisfy({ $0 > 0 }), pads.allSatisfy({ $0 >= 0 }) else {
            throw LoweringSupport.invalid(node, "image_shape \(image), block_shape \(block), strides \(strides), "
                + "dilations \(dilations) and pads \(pads) must be positive (pads non-negative), one per image axis")
        }
        guard type.dtype.isFloatingPoint else {
            throw LoweringSupport.unsupported(node, "\(type.dtype.rawValue) input (float types are supported)")
        }
        let what = "Col2Im node '\(node.displayName)'"
        let k = try CheckedSize.elementCount(block, "\(what) block", kind: .invalidModel)
        var grid: [Int] = [], outputPadding: [Int] = []
        for axis in 0..<r {
            let span = dilations[axis] * (block[axis] - 1) + 1
            let room = image[axis] + pads[axis] + pads[axis + r] - span
            guard room >= 0 else { throw LoweringSupport.invalid(node, "block_shape \(block) does not fit \(image)") }
            grid.append(room / strides[axis] + 1)
            outputPadding.append(room % strides[axis])
        }
        let blocks = try CheckedSize.elementCount(grid, "\(what) blocks", kind: .invalidModel)
        guard type.shape.count == 3, type.shape[1] % k == 0, type.shape[2] == blocks else {
            throw LoweringSupport.invalid(node, "input \(type) must be [N, C·\(k), \(blocks)] for these blocks")
        }
        let channels = type.shape[1] / k
        guard channels > 0 else { throw LoweringSupport.invalid(node, "input \(type) has no channels") }
        let weightCount = try CheckedSize.multiply(type.shape[1], k, "\(what) weight", kind: .invalidModel)
        _ = try ConstantTensors.checkedCount(Double(weightCount), ctx, node, elementSize: 8)
        var oneHot = [Double](repeating: 0, count: weightCount)
        for row in 0..<type.shape[1] { oneHot[row * k + row % k] = 1 }
        let weightTensor = try LoweringSupport.converted(oneHot, type.dtype, shape: [type.shape[1], 1] + block)
        let weight = ctx.addConstant(weightTensor, hint: "\(node.displayName)/one_hot")
        let laidOut = try LoweringSupport.reshape(x, to: [type.shape[0], type.shape[1]] + grid, ctx, node,
                                                  hint: "blocks")
        let attributes: Attributes = [
            "strides": .ints(strides), "dilations": .ints(dilations), "pads": .ints(pads),
            "outputPadding": .ints(outputPadding), "group": .int(channels),
        ]
        try ctx.emit(.convTranspose, [laidOut, weight, ""], attributes,
                     outputs: [try ElementwiseImporters.output(node)], from: node)
    }
}
