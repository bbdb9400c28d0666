// ONNX importers for activations and elementwise math functions, lowered onto the core
// `unary` op (parameters alpha/beta/gamma carry the ONNX attributes with their defaults).

import EFCore
import EFIR

enum ActivationImporters {
    static let table: [String: OpImporter] = [
        "Relu": unary("relu"), "Sigmoid": unary("sigmoid"), "Tanh": unary("tanh"), "Exp": unary("exp"),
        "Log": unary("log"), "Sqrt": unary("sqrt"), "Neg": unary("neg"), "Abs": unary("abs"), "Erf": unary("erf"),
        "Floor": unary("floor"), "Ceil": unary("ceil"), "Round": unary("round"), "Reciprocal": unary("reciprocal"),
        "Sign": unary("sign"), "Sin": unary("sin"), "Cos": unary("cos"), "Tan": unary("tan"), "Asin": unary("asin"),
        "Acos": unary("acos"), "Atan": unary("atan"), "Sinh": unary("sinh"), "Cosh": unary("cosh"),
        "Asinh": unary("asinh"), "Acosh": unary("acosh"), "Atanh": unary("atanh"), "Softplus": unary("softplus"),
        "Softsign": unary("softsign"), "Mish": unary("mish"), "HardSwish": unary("hardSwish"),
        "Not": unary("not"), "BitwiseNot": unary("bitwiseNot"), "IsNaN": unary("isNaN"),
        "HardSigmoid": unary("hardSigmoid", ["alpha": ("alpha", 0.2), "beta": ("beta", 0.5)]),
        "LeakyRelu": unary("leakyRelu", ["alpha": ("alpha", 0.01)]),
        "Elu": unary("elu", ["alpha": ("alpha", 1.0)]),
        "Selu": unary("selu", ["alpha": ("alpha", 1.67326319217681884765625),
                               "gamma": ("gamma", 1.05070102214813232421875)]),
        "Celu": unary("celu", ["alpha": ("alpha", 1.0)]),
        "ThresholdedRelu": unary("thresholdedRelu", ["alpha": ("alpha", 1.0)]),
        "IsInf": importIsInf, "Gelu": importGelu, "Swish": importSwish,
    ]

    /// Lowers onto `unary` with `fn`; `parameters` maps a core parameter to (ONNX attribute, default).
    static func unary(_ fn: String, _ parameters: [String: (String, Float)] = [:]) -> OpImporter {
        { node, ctx in
            var attributes: Attributes = ["fn": .string(fn)]
            for (key, (onnxName, fallback)) in parameters {
                attributes[key] = .float(try node.attributeFloat(onnxName) ?? fallback)
            }
            let x = try ctx.requiredInput(node, 0, "X")
            try ctx.emit(.unary, [x], attributes, outputs: [try ElementwiseImporters.output(node)], from: node)
        }
    }

    private static func importIsInf(_ node: OnnxNode, _ ctx: ImportContext) throws {
        let attributes: Attributes = [
            "fn": .string("isInf"),
            "alpha": .float(Float(try node.attributeInt("detect_positive") ?? 1)),
            "beta": .float(Float(try node.attributeInt("detect_negative") ?? 1)),
        ]
        let x = try ctx.requiredInput(node, 0, "X")
        try ctx.emit(.unary, [x], attributes, outputs: [try ElementwiseImporters.output(node)], from: node)
    }

    private static func importGelu(_ node: OnnxNode, _ ctx: ImportContext) throws {
        switch try node.attributeString("approximate") ?? "none" {
        case "none": try unary("gelu")(node, ctx)
        case "tanh": try unary("geluTanh")(node, ctx)
        case let other: throw LoweringSupport.invalid(node, "approximate must be 'none' or 'tanh', got '\(other)'")
        }
    }

    /// Swish(x) = x · sigmoid(alpha · x).
    private static func importSwish(_ node: OnnxNode, _ ctx: ImportContext) throws {
        let alpha = try node.attributeFloat("alpha") ?? 1
        let x = try ctx.requiredInput(node, 0, "X")
        var scaled = x
        if alpha != 1 {
            let factor = try LoweringSupport.constant(Double(alpha), try ctx.type(x).dtype, ctx, node, hint: "alpha")
            scaled = try ctx.emit(.binary, [x, factor], ["fn": .string("mul")], from: node, hint: "scaled")
        }
        let gate = try ctx.emit(.unary, [scaled], ["fn": .string("sigmoid")], from: node, hint: "sigmoid")
        try ctx.emit(.binary, [x, gate], ["fn": .string("mul")], outputs: [try ElementwiseImporters.output(node)],
            from: node)
    }
}
