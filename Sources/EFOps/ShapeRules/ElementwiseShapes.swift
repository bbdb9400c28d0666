// Shape rules for the Elementwise op group: unary (same type, bool for isNaN/isInf), binary
// (numpy broadcast; bool for comparisons), where (three-way broadcast) and cast.

import EFCore

enum ElementwiseShapes {
    /// The `fn` names of `unary`, and which of them produce bool.
    static let unaryFunctions: Set<String> = [
        "identity", "relu", "sigmoid", "tanh", "exp", "log", "sqrt", "neg", "abs", "erf", "floor", "ceil",
        "round", "reciprocal", "sign", "sin", "cos", "tan", "asin", "acos", "atan", "sinh", "cosh", "asinh",
        "acosh", "atanh", "softplus", "softsign", "mish", "gelu", "geluTanh", "hardSwish", "hardSigmoid",
        "leakyRelu", "elu", "selu", "celu", "thresholdedRelu", "clip", "not", "isNaN", "isInf", "bitwiseNot",
    ]
    static let boolUnary: Set<String> = ["isNaN", "isInf"]

    /// The `fn` names of `binary`, and which of them produce bool.
    static let binaryFunctions: Set<String> = [
        "add", "sub", "mul", "div", "pow", "max", "min", "mod", "fmod", "and", "or", "xor", "equal", "less",
        "lessOrEqual", "greater", "greaterOrEqual", "bitShiftLeft", "bitShiftRight", "bitwiseAnd",
        "bitwiseOr", "bitwiseXor", "prelu",
    ]
    static let comparisons: Set<String> = ["equal", "less", "lessOrEqual", "greater", "greaterOrEqual"]
    static let logical: Set<String> = ["and", "or", "xor", "not"]

    static func infer(_ node: OpInstance, _ inputs: [TensorType?]) throws -> [TensorType] {
        switch node.params {
        case .unary(let p):
            let x = try OpShapes.required(inputs, 0, "x")
            let fn = p.fn.rawValue
            guard unaryFunctions.contains(fn) else {
                throw EdgeflowError(.invalidModel, "unknown unary fn '\(fn)'")
            }
            if logical.contains(fn) && x.dtype != .bool {
                throw EdgeflowError(.invalidModel, "unary \(fn) needs a bool input, got \(x)")
            }
            return [TensorType(boolUnary.contains(fn) ? .bool : x.dtype, x.shape)]
        case .binary(let function):
            let a = try OpShapes.required(inputs, 0, "a")
            let b = try OpShapes.required(inputs, 1, "b")
            let fn = function.rawValue
            guard binaryFunctions.contains(fn) else {
                throw EdgeflowError(.invalidModel, "unknown binary fn '\(fn)'")
            }
            guard a.dtype == b.dtype || fn == "pow" else {
                throw EdgeflowError(.invalidModel, "binary \(fn) operands differ in dtype: \(a) and \(b)")
            }
            if logical.contains(fn) && a.dtype != .bool {
                throw EdgeflowError(.invalidModel, "binary \(fn) needs bool operands, got \(a)")
            }
            let shape = try broadcastShapes(a.shape, b.shape)
            return [TensorType(comparisons.contains(fn) ? .bool : a.dtype, shape)]
        case .select:
            let condition = try OpShapes.required(inputs, 0, "condition")
            let x = try OpShapes.required(inputs, 1, "x")
            let y = try OpShapes.required(inputs, 2, "y")
            guard condition.dtype == .bool, x.dtype == y.dtype else {
                throw EdgeflowError(.invalidModel,
                    "where needs a bool condition and x, y of one dtype, got \(condition), \(x), \(y)")
            }
            let shape = try broadcastShapes(try broadcastShapes(condition.shape, x.shape), y.shape)
            return [TensorType(x.dtype, shape)]
        case .cast(let dtype, _, _):
            let x = try OpShapes.required(inputs, 0, "x")
            return [TensorType(dtype, x.shape)]
        case .bitCast(let dtype):
            let x = try OpShapes.required(inputs, 0, "x")
            guard x.dtype.storedBits == dtype.storedBits else {
                throw EdgeflowError(.invalidModel,
                    "bitCast from \(x.dtype.rawValue) to \(dtype.rawValue): the types differ in bit width")
            }
            return [TensorType(dtype, x.shape)]
        default:
            throw EdgeflowError(.internalError, "\(node.op.rawValue) is not an elementwise op")
        }
    }
}
