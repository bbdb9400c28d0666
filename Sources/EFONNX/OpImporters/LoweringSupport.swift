// Helpers the elementwise, reduction and movement importers share: required attributes,
// errors naming the node, axis normalization, constant operands and small constants.

import EFCore
import EFIR
import EFKernels
import EFInterpreter
import Foundation

/// Small helpers for lowering ONNX ops.
enum LoweringSupport {
    /// A required int attribute.
    /// - Throws: `EdgeflowError.invalidModel` naming the node when absent or not an int.
    static func requiredInt(_ node: OnnxNode, _ name: String) throws -> Int {
        guard let value = try node.attributeInt(name) else { throw missingAttribute(node, name) }
        return value
    }

    /// A required ints attribute.
    static func requiredInts(_ node: OnnxNode, _ name: String) throws -> [Int] {
        guard let value = try node.attributeInts(name) else { throw missingAttribute(node, name) }
        return value
    }

    private static func missingAttribute(_ node: OnnxNode, _ name: String) -> EdgeflowError {
        invalid(node, "lacks its required attribute '\(name)'")
    }

    /// Error for an ONNX feature Edgeflow does not import.
    static func unsupported(_ node: OnnxNode, _ what: String, hint: String? = nil) -> EdgeflowError {
        EdgeflowError(.unsupported, "\(node.opType) node '\(node.displayName)': \(what)", hint: hint)
    }

    /// Error for an ONNX node that breaks the operator's rules.
    static func invalid(_ node: OnnxNode, _ what: String) -> EdgeflowError {
        EdgeflowError(.invalidModel, "\(node.opType) node '\(node.displayName)': \(what)")
    }

    /// Normalizes `axis` for `rank`, with an error naming the node.
    static func axis(_ axis: Int, rank: Int, _ node: OnnxNode) throws -> Int {
        let normalized = axis < 0 ? axis + rank : axis
        guard normalized >= 0 && normalized < max(rank, 1) else {
            throw invalid(node, "axis \(axis) is out of range for rank \(rank)")
        }
        return normalized
    }

    /// The integer values of a constant shape-deciding input (Reshape shape, Slice starts, ...).
    static func intValues(_ tensor: Tensor, _ node: OnnxNode, _ role: String) throws -> [Int] {
        switch tensor.dtype {
        case .int64: return tensor.scalars(as: Int64.self).map { Int($0) }
        case .int32: return tensor.scalars(as: Int32.self).map { Int($0) }
        default: throw invalid(node, "its \(role) input must be int32 or int64, got \(tensor.dtype.rawValue)")
        }
    }

    /// A tensor of `dtype` and `shape` with every element `value`, converted by the cast kernel.
    static func filled(_ value: Double, _ dtype: DType, shape: [Int] = []) throws -> Tensor {
        try converted([Double](repeating: value, count: shape.elementCount), dtype, shape: shape)
    }

    /// A tensor of `dtype` and `shape` holding `values`, converted by the cast kernel.
    static func converted(_ values: [Double], _ dtype: DType, shape: [Int]) throws -> Tensor {
        let wide = Tensor(shape: shape, scalars: values)
        return try Kernels.cast(wide, to: dtype)
    }

    /// Adds a constant like `filled` and returns its IR name.
    static func constant(_ value: Double, _ dtype: DType, shape: [Int] = [], _ ctx: ImportContext,
                         _ node: OnnxNode, hint: String) throws -> String {
        ctx.addConstant(try filled(value, dtype, shape: shape), hint: "\(node.displayName)/\(hint)")
    }

    /// Emits a reshape of `value` to `shape` (a view; folded when `value` is constant).
    static func reshape(_ value: String, to shape: [Int], _ ctx: ImportContext, _ node: OnnxNode,
                        hint: String, output: String? = nil) throws -> String {
        if let output {
            try ctx.emit(.reshape, [value], ["shape": .ints(shape)], outputs: [output], from: node)
            return output
        }
        if try ctx.type(value).shape == shape { return value }
        return try ctx.emit(.reshape, [value], ["shape": .ints(shape)], from: node, hint: hint)
    }
}
