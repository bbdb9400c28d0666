// Fuzz target of EFQuantize's model-script reader: arbitrary bytes as script text through the
// lexer, parser and command checks, then layer resolution against a fixed set of layer names,
// the effective settings, and a JSON round trip that must give back the same script.

import EFCore
import EFQuantize
import Foundation

enum QuantizeFuzzTargets {
    static let all: [FuzzTarget] = [modelScript]

    /// Layer names the resolution runs against, with the path-like names ONNX exports carry.
    static let layerNames = ["conv1", "conv2", "fc1", "fc2", "block0/layer_norm1", "block0/attn/matmul_qk",
                             "/visual/ln_post/LayerNormalization", "output", "input_layer1"]

    static let modelScript = FuzzTarget(name: "model-script",
        summary: "UTF-8 text (bad sequences replaced) → ModelScript(parsing:), layer resolution, settings") { data in
        let script = try ModelScript(parsing: String(decoding: data, as: UTF8.self), fileName: "fuzz.alls")
        _ = script.settings
        _ = try? script.preprocessRecipe()
        _ = try? script.precisions(layerNames: layerNames)
        _ = try? script.activationClipping(layerNames: layerNames)
        _ = try? script.checkLayerNames(layerNames: layerNames, inputNames: ["input_layer1"])
        let decoded: ModelScript
        do {
            decoded = try JSONDecoder().decode(ModelScript.self, from: JSONEncoder().encode(script))
        } catch {
            throw EdgeflowError(.internalError, "a parsed model script does not survive JSON: \(error)")
        }
        guard decoded == script else {
            throw EdgeflowError(.internalError, "a parsed model script changed in a JSON round trip")
        }
    }
}
