// Evaluator for resize: node parameters (ONNX attribute spellings for the modes) → kernel.

import EFCore
import EFIR
import EFKernels

enum ResizeEvaluator {
    static func evaluate(_ node: Node, _ inputs: [Tensor?]) throws -> [Tensor] {
        [try Kernels.resize(try NodeEvaluator.required(inputs, 0, "x"), try parameters(node.attributes))]
    }

    /// The kernel parameters of a `resize` node.
    static func parameters(_ a: Attributes) throws -> ResizeParameters {
        ResizeParameters(
            mode: try choice(a, "mode", default: nil, ResizeMode.self),
            coordinateMode: try choice(a, "coordinateTransformationMode", default: .halfPixel, ResizeCoordinateMode.self),
            nearestMode: try choice(a, "nearestMode", default: .roundPreferFloor, ResizeNearestMode.self),
            cubicCoeffA: Double(a.float("cubicCoeffA", default: -0.75)),
            excludeOutside: a.int("excludeOutside", default: 0) != 0,
            extrapolationValue: Double(a.float("extrapolationValue", default: 0)),
            antialias: a.int("antialias", default: 0) != 0,
            sizes: try a.requiredInts("sizes"),
            scales: a.floats("scales").flatMap { $0.isEmpty ? nil : $0.map(Double.init) },
            roi: a.floats("roi").flatMap { $0.isEmpty ? nil : $0.map(Double.init) })
    }

    /// A string parameter read as one of an enum's raw values.
    private static func choice<E: RawRepresentable & CaseIterable>(_ attributes: Attributes, _ key: String, default value: E?,
                                                                   _ type: E.Type) throws -> E where E.RawValue == String {
        guard let name = attributes.string(key) else {
            guard let value else { throw EdgeflowError(.invalidModel, "missing parameter '\(key)'") }
            return value
        }
        guard let choice = E(rawValue: name) else {
            throw EdgeflowError(.invalidModel,
                "resize \(key) '\(name)' is not one of \(E.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        return choice
    }
}
