// ONNX importers for ops that only rename values or make constants: Constant, Identity,
// Dropout (inference), and the shape-only ops Shape, Size, ConstantOfShape, Range, EyeLike
// (in ShapeConstantImporters.swift). None of them emits a core node.

import EFCore
import EFIR

enum ConstantImporters {
    static let table: [String: OpImporter] = [
        "Constant": importConstant,
        "Identity": importIdentity,
        "Dropout": importDropout,
        "Shape": importShape,
        "Size": importSize,
        "ConstantOfShape": importConstantOfShape,
        "Range": importRange,
        "EyeLike": importEyeLike,
    ]

    /// The first output of `node`, which must be named.
    static func output(_ node: OnnxNode) throws -> String {
        guard let name = node.outputs.first, !name.isEmpty else {
            throw EdgeflowError(.invalidModel, "\(node.opType) node '\(node.displayName)' has no output")
        }
        return name
    }

    /// Constant: exactly one of value, value_float(s), value_int(s); strings and sparse values
    /// are unsupported.
    static func importConstant(_ node: OnnxNode, _ ctx: ImportContext) throws {
        let name = try output(node)
        guard node.attributes.count == 1, let key = node.attributes.keys.first else {
            throw EdgeflowError(.invalidModel,
                "Constant node '\(node.displayName)' must have exactly one value attribute, has \(node.attributes.keys.sorted())")
        }
        let tensor: Tensor
        switch key {
        case "value":
            guard let value = try node.attributeTensor(key) else { throw missingValue(node) }
            tensor = try value.toTensor(baseDirectory: ctx.baseDirectory)
        case "value_float":
            guard let value = try node.attributeFloat(key) else { throw missingValue(node) }
            tensor = Tensor(scalar: value)
        case "value_floats":
            guard let values = try node.attributeFloats(key) else { throw missingValue(node) }
            tensor = Tensor(shape: [values.count], scalars: values)
        case "value_int":
            guard let value = try node.attributeInt(key) else { throw missingValue(node) }
            tensor = Tensor(scalar: Int64(value))
        case "value_ints":
            guard let values = try node.attributeInts(key) else { throw missingValue(node) }
            tensor = Tensor(shape: [values.count], scalars: values.map(Int64.init))
        case "value_string", "value_strings":
            throw EdgeflowError(.unsupported, "Constant node '\(node.displayName)' holds strings, which Edgeflow does not support")
        case "sparse_value":
            throw EdgeflowError(.unsupported, "Constant node '\(node.displayName)' holds a sparse tensor, which Edgeflow does not support")
        default:
            throw EdgeflowError(.invalidModel, "Constant node '\(node.displayName)' has unknown attribute '\(key)'")
        }
        ctx.addWeight(name, tensor)
    }

    private static func missingValue(_ node: OnnxNode) -> EdgeflowError {
        EdgeflowError(.invalidModel, "Constant node '\(node.displayName)' has a malformed value attribute")
    }

    /// Identity: the output is another name for the input.
    static func importIdentity(_ node: OnnxNode, _ ctx: ImportContext) throws {
        ctx.alias(try output(node), to: try ctx.requiredInput(node, 0, "input"))
    }

    /// Dropout at inference: the output is the input; the optional mask is all true (opset ≥ 10,
    /// bool) or all ones of the input type (older opsets). Training mode is refused unless the
    /// ratio is 0, which makes it an identity too.
    static func importDropout(_ node: OnnxNode, _ ctx: ImportContext) throws {
        let data = try ctx.requiredInput(node, 0, "data")
        if ctx.opset >= 12, let mode = try ctx.constantInput(node, 2, "training_mode"),
           mode.doubleValues().first.map({ $0 != 0 }) == true {
            let ratio = try ctx.constantInput(node, 1, "ratio")?.doubleValues().first ?? 0.5
            guard ratio == 0 else {
                throw EdgeflowError(.unsupported,
                    "Dropout node '\(node.displayName)' runs in training mode (ratio \(ratio)), which is random",
                    hint: "export the model in inference (eval) mode")
            }
        }
        ctx.alias(try output(node), to: data)
        if node.outputs.count > 1, !node.outputs[1].isEmpty {
            let type = try ctx.type(data)
            let one = ConstantTensors.scalar(1, as: ctx.opset >= 10 ? .bool : type.dtype)
            try ConstantTensors.emitRepeated(one, shape: type.shape, output: node.outputs[1], ctx, node)
        }
    }
}
