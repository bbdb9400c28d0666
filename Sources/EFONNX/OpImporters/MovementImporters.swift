// ONNX importers for shape-only movement ops: Reshape, Flatten, Squeeze, Unsqueeze (all onto
// `reshape`), Transpose, Expand, Concat, Tile, DepthToSpace, SpaceToDepth and Trilu.
// Slicing, padding and splitting are in SliceImporters.swift; gathers and scatters in
// GatherImporters.swift. Shape-deciding operands must be constants.

import EFCore
import EFIR

enum MovementImporters {
    static let table: [String: OpImporter] = {
        var table: [String: OpImporter] = [
            "Reshape": importReshape, "Flatten": importFlatten, "Squeeze": importSqueeze, "Unsqueeze": importUnsqueeze,
            "Transpose": importTranspose, "Expand": importExpand, "Concat": importConcat, "Tile": importTile,
            "DepthToSpace": importDepthToSpace, "SpaceToDepth": importSpaceToDepth, "Trilu": importTrilu,
        ]
        for group in [SliceImporters.table, GatherImporters.table] {
            table.merge(group) { _, _ in preconditionFailure("an ONNX op is registered twice") }
        }
        return table
    }()

    /// The shape of an ONNX value.
    static func shape(_ value: String, _ ctx: ImportContext) throws -> [Int] { try ctx.type(value).shape }

    /// A constant integer operand given as input `index` (from opset `since`) or attribute `name` (before).
    static func intsOperand(_ node: OnnxNode, _ ctx: ImportContext, input index: Int, since: Int,
                            attribute name: String) throws -> [Int]? {
        if ctx.opset >= since {
            return try ctx.constantInput(node, index, name).map { try LoweringSupport.intValues($0, node, name) }
        }
        return try node.attributeInts(name)
    }

    /// Reshape's target with ONNX rules: 0 copies the input dim (unless allowzero), -1 is inferred.
    private static func importReshape(_ node: OnnxNode, _ ctx: ImportContext) throws {
        let x = try ctx.requiredInput(node, 0, "data")
        let input = try shape(x, ctx)
        guard let requested = try intsOperand(node, ctx, input: 1, since: 5, attribute: "shape") else {
            throw LoweringSupport.invalid(node, "lacks its shape")
        }
        let allowZero = try (node.attributeInt("allowzero") ?? 0) != 0
        var target = try requested.enumerated().map { index, dim -> Int in
            if dim == 0 && !allowZero {
                guard index < input.count else {
                    throw LoweringSupport.invalid(node,
                        "shape \(requested) copies dim \(index) of \(input.shapeDescription)")
                }
                return input[index]
            }
            guard dim >= -1 else { throw LoweringSupport.invalid(node, "shape \(requested) has a negative dim") }
            return dim
        }
        let inferred = target.indices.filter { target[$0] == -1 }
        guard inferred.count <= 1 else {
            throw LoweringSupport.invalid(node,
                "shape \(requested) has more than one -1")
        }
        if let position = inferred.first {
            let others = target.enumerated().filter { $0.offset != position }.map(\.element)
            let count = try CheckedSize.elementCount(input, "Reshape node '\(node.displayName)' input",
                                                     kind: .invalidModel)
            guard let known = others.checkedElementCount, known > 0, count % known == 0 else {
                throw LoweringSupport.invalid(node,
                    "cannot infer the -1 in \(requested) for input \(input.shapeDescription)")
            }
            target[position] = count / known
        }
        _ = try LoweringSupport.reshape(x, to: target, ctx, node, hint: "reshape",
            output: try ElementwiseImporters.output(node))
    }

    private static func importFlatten(_ node: OnnxNode, _ ctx: ImportContext) throws {
        let x = try ctx.requiredInput(node, 0, "input")
        let input = try shape(x, ctx)
        var axis = try node.attributeInt("axis") ?? 1
        if axis < 0 { axis += input.count }
        guard axis >= 0 && axis <= input.count else {
            throw LoweringSupport.invalid(node,
                "axis is out of range for \(input.shapeDescription)")
        }
        let what = "Flatten node '\(node.displayName)' input \(input.shapeDescription)"
        let target = [try CheckedSize.product(Array(input[..<axis]), what, kind: .invalidModel),
                      try CheckedSize.product(Array(input[axis...]), what, kind: .invalidModel)]
        _ = try LoweringSupport.reshape(x, to: target, ctx, node, hint: "flatten",
            output: try ElementwiseImporters.output(node))
    }

    private static func importSqueeze(_ node: OnnxNode, _ ctx: ImportContext) throws {
        let x = try ctx.requiredInput(node, 0, "data")
        let input = try shape(x, ctx)
        let axes = try intsOperand(node, ctx, input: 1, since: 13, attribute: "axes")
        let listed = axes ?? input.indices.filter { input[$0] == 1 }
        let removed = try Set(listed.map { try LoweringSupport.axis($0, rank: input.count, node) })
        for axis in removed where input[axis] != 1 {
            throw LoweringSupport.invalid(node, "cannot squeeze axis \(axis) of size \(input[axis])")
        }
        let target = input.indices.filter { !removed.contains($0) }.map { input[$0] }
        _ = try LoweringSupport.reshape(x, to: target, ctx, node, hint: "squeeze",
            output: try ElementwiseImporters.output(node))
    }

    private static func importUnsqueeze(_ node: OnnxNode, _ ctx: ImportContext) throws {
        let x = try ctx.requiredInput(node, 0, "data")
        let input = try shape(x, ctx)
        guard let axes = try intsOperand(node, ctx, input: 1, since: 13, attribute: "axes") else {
            throw LoweringSupport.invalid(node, "lacks its axes")
        }
        let rank = input.count + axes.count
        let inserted = try Set(axes.map { try LoweringSupport.axis($0, rank: rank, node) })
        guard inserted.count == axes.count else { throw LoweringSupport.invalid(node, "axes \(axes) repeat an axis") }
        var remaining = input.makeIterator()
        let target = (0..<rank).map { inserted.contains($0) ? 1 : remaining.next()! }
        _ = try LoweringSupport.reshape(x, to: target, ctx, node, hint: "unsqueeze",
            output: try ElementwiseImporters.output(node))
    }

    private static func importTranspose(_ node: OnnxNode, _ ctx: ImportContext) throws {
        let x = try ctx.requiredInput(node, 0, "data")
        let rank = try shape(x, ctx).count
        let perm = try node.attributeInts("perm") ?? Array((0..<rank).reversed())
        let normalized = try perm.map { try LoweringSupport.axis($0, rank: rank, node) }
        try ctx.emit(.transpose, [x], ["perm": .ints(normalized)], outputs: [try ElementwiseImporters.output(node)],
            from: node)
    }

    private static func importExpand(_ node: OnnxNode, _ ctx: ImportContext) throws {
        let x = try ctx.requiredInput(node, 0, "input")
        let requested = try LoweringSupport.intValues(try ctx.requiredConstantInput(node, 1, "shape"), node, "shape")
        let target: [Int]
        do { target = try broadcastShapes(try shape(x, ctx), requested) } catch let error as EdgeflowError {
            throw LoweringSupport.invalid(node, error.message)
        }
        try ctx.emit(.expand, [x], ["shape": .ints(target)], outputs: [try ElementwiseImporters.output(node)],
            from: node)
    }

    private static func importConcat(_ node: OnnxNode, _ ctx: ImportContext) throws {
        let inputs = node.inputs.indices.compactMap { ctx.input(node, $0) }
        guard let first = inputs.first else { throw LoweringSupport.invalid(node, "has no inputs") }
        let rank = try shape(first, ctx).count
        let declared = ctx.opset < 4 ? try node.attributeInt("axis") ?? 1
            : try LoweringSupport.requiredInt(node, "axis")
        let axis = try LoweringSupport.axis(declared, rank: rank, node)
        try ctx.emit(.concat, inputs, ["axis": .int(axis)], outputs: [try ElementwiseImporters.output(node)],
            from: node)
    }

    /// Tile; before opset 6 the inputs are `tiles` (a count) and `axis` (the one axis repeated).
    private static func importTile(_ node: OnnxNode, _ ctx: ImportContext) throws {
        let x = try ctx.requiredInput(node, 0, "input")
        var repeats: [Int]
        if ctx.opset < 6 {
            let tiles = try LoweringSupport.intValues(try ctx.requiredConstantInput(node, 1, "tiles"), node, "tiles")
            let axes = try LoweringSupport.intValues(try ctx.requiredConstantInput(node, 2, "axis"), node, "axis")
            let rank = try shape(x, ctx).count
            guard tiles.count == 1, axes.count == 1 else {
                throw LoweringSupport.invalid(node, "tiles and axis must be scalars")
            }
            repeats = [Int](repeating: 1, count: rank)
            repeats[try LoweringSupport.axis(axes[0], rank: rank, node)] = tiles[0]
        } else {
            repeats = try LoweringSupport.intValues(try ctx.requiredConstantInput(node, 1, "repeats"), node, "repeats")
        }
        try ctx.emit(.tile, [x], ["repeats": .ints(repeats)], outputs: [try ElementwiseImporters.output(node)],
            from: node)
    }

    private static func importDepthToSpace(_ node: OnnxNode, _ ctx: ImportContext) throws {
        let attributes: Attributes = ["blockSize": .int(try LoweringSupport.requiredInt(node, "blocksize")),
                                      "mode": .string(try node.attributeString("mode") ?? "DCR")]
        try ctx.emit(.depthToSpace, [try ctx.requiredInput(node, 0, "input")], attributes,
                     outputs: [try ElementwiseImporters.output(node)], from: node)
    }

    /// SpaceToDepth; opset 28's `mode` CRD (column, row, depth) is lowered to reshape → transpose →
    /// reshape, DCR (the default) is the core op.
    private static func importSpaceToDepth(_ node: OnnxNode, _ ctx: ImportContext) throws {
        let blockSize = try LoweringSupport.requiredInt(node, "blocksize")
        let input = try ctx.requiredInput(node, 0, "input")
        let output = try ElementwiseImporters.output(node)
        switch try node.attributeString("mode") ?? "DCR" {
        case "DCR":
            try ctx.emit(.spaceToDepth, [input], ["blockSize": .int(blockSize)], outputs: [output], from: node)
        case "CRD":
            let dims = try shape(input, ctx)
            guard dims.count == 4, blockSize > 0, dims[2] % blockSize == 0, dims[3] % blockSize == 0 else {
                throw LoweringSupport.invalid(node, "needs a 4-D input whose height and width divide by blocksize "
                                                  + "\(blockSize), got \(dims.shapeDescription)")
            }
            let (b, c, h, w) = (dims[0], dims[1], dims[2] / blockSize, dims[3] / blockSize)
            let blocks = try LoweringSupport.reshape(input, to: [b, c, h, blockSize, w, blockSize], ctx, node,
                                                     hint: "blocks")
            let moved = try ctx.emit(.transpose, [blocks], ["perm": .ints([0, 1, 3, 5, 2, 4])], from: node,
                                     hint: "crd")
            _ = try LoweringSupport.reshape(moved, to: [b, c * blockSize * blockSize, h, w], ctx, node,
                                            hint: "depth", output: output)
        case let mode:
            throw LoweringSupport.invalid(node, "mode '\(mode)' is not DCR or CRD")
        }
    }

    private static func importTrilu(_ node: OnnxNode, _ ctx: ImportContext) throws {
        let k = try ctx.constantInput(node, 1, "k").map { try LoweringSupport.intValues($0, node, "k") } ?? [0]
        guard k.count == 1 else { throw LoweringSupport.invalid(node, "k must be a single value") }
        let attributes: Attributes = ["upper": .int(try node.attributeInt("upper") ?? 1), "k": .int(k[0])]
        try ctx.emit(.trilu, [try ctx.requiredInput(node, 0, "input")], attributes,
                     outputs: [try ElementwiseImporters.output(node)], from: node)
    }
}
