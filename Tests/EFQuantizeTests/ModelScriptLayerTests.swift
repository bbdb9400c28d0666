// Layer resolution of model scripts (later rules override earlier ones; unknown names and
// globs that match nothing name the line and the nearest layer), the effective settings per
// optimization level, and a full script in the style of Hailo's CLIP scripts.

import EFCore
import EFQuantize
import XCTest

final class ModelScriptLayerTests: XCTestCase {
    private let layers = ["conv1", "conv2", "conv3", "fc1", "fc2", "block1/layer_norm1", "block2/layer_norm2",
                          "attn/matmul"]

    private func resolutionError(_ text: String, _ body: (ModelScript) throws -> Void,
                                 file: StaticString = #filePath, line: UInt = #line) throws -> EdgeflowError? {
        let script = try parseScript(text)
        do {
            try body(script)
            XCTFail("accepted", file: file, line: line)
        } catch let error as EdgeflowError {
            XCTAssertEqual(error.kind, .invalidInput, file: file, line: line)
            return error
        }
        return nil
    }

    func testPrecisionsDefaultAndLaterRulesOverride() throws {
        let script = try parseScript("""
            quantization_param({conv*}, precision_mode=a16_w8)
            quantization_param(conv2, precision_mode=float)
            quantization_param([fc1, fc2], precision_mode=bf16)
            quantization_param({fc?}, precision_mode=a16_w8)
            """)
        let precisions = try script.precisions(layerNames: layers)
        XCTAssertEqual(precisions, [
            "conv1": .a16w8, "conv2": .float, "conv3": .a16w8, "fc1": .a16w8, "fc2": .a16w8,
            "block1/layer_norm1": .a8w8, "block2/layer_norm2": .a8w8, "attn/matmul": .a8w8,
        ])
        // The same rules in the other order: the glob, written last, wins for conv2.
        let reversed = try parseScript("""
            quantization_param(conv2, precision_mode=float)
            quantization_param({conv*}, precision_mode=a16_w8)
            """)
        XCTAssertEqual(try reversed.precisions(layerNames: layers)["conv2"], .a16w8)
    }

    func testGlobForms() throws {
        let script = try parseScript("quantization_param({*layer_norm*, attn/*}, precision_mode=a16_w8)")
        let precisions = try script.precisions(layerNames: layers)
        XCTAssertEqual(precisions.filter { $0.value == .a16w8 }.keys.sorted(),
                       ["attn/matmul", "block1/layer_norm1", "block2/layer_norm2"])
        let all = try parseScript("quantization_param({*}, precision_mode=float)").precisions(layerNames: layers)
        XCTAssertEqual(Set(all.values), [.float])
        let single = try parseScript("quantization_param({conv?}, precision_mode=bf16)").precisions(layerNames: layers)
        XCTAssertEqual(single.filter { $0.value == .bf16 }.count, 3)
        let literalStar = try parseScript("quantization_param({a*b}, precision_mode=bf16)")
            .precisions(layerNames: ["a*b", "axxb", "ab", "abc"])
        XCTAssertEqual(literalStar, ["a*b": .bf16, "axxb": .bf16, "ab": .bf16, "abc": .a8w8])
    }

    func testUnknownLayerNamesLineAndNearest() throws {
        let error = try resolutionError("# header\nquantization_param(fc3, precision_mode=bf16)") {
            _ = try $0.precisions(layerNames: layers)
        }
        XCTAssertEqual(error?.message, "test.alls:2:20: no layer named 'fc3'")
        XCTAssertEqual(error?.hint, "did you mean 'fc1'?")
        let inList = try resolutionError("quantization_param([conv1, conv_4], precision_mode=bf16)") {
            _ = try $0.precisions(layerNames: layers)
        }
        XCTAssertEqual(inList?.message, "test.alls:1:20: no layer named 'conv_4'")
        XCTAssertEqual(inList?.hint, "did you mean 'conv1'?")
    }

    func testGlobMatchingNothingIsAnError() throws {
        let error = try resolutionError("\n\nquantization_param({conv*, *layernorm*}, precision_mode=a16_w8)") {
            _ = try $0.precisions(layerNames: layers)
        }
        XCTAssertEqual(error?.message, "test.alls:3:28: the glob '*layernorm*' matches no layer")
        XCTAssertEqual(error?.hint, "the nearest layer name is 'block1/layer_norm1'")
        let empty = try resolutionError("quantization_param({*}, precision_mode=a16_w8)") {
            _ = try $0.precisions(layerNames: [])
        }
        XCTAssertEqual(empty?.message, "test.alls:1:21: the glob '*' matches no layer")
        XCTAssertNil(empty?.hint)
    }

    func testActivationClippingResolution() throws {
        let script = try parseScript("""
            pre_quantization_optimization(activation_clipping, mode=percentile, clipping_values=[0.1, 99.9])
            pre_quantization_optimization(activation_clipping, layers={fc*}, mode=mse)
            pre_quantization_optimization(activation_clipping, layers=fc2, mode=disabled)
            """)
        let clipping = try script.activationClipping(layerNames: layers)
        XCTAssertEqual(clipping["conv1"], ActivationClipping(mode: .percentile, percentiles: 0.1...99.9))
        XCTAssertEqual(clipping["fc1"], ActivationClipping(mode: .mse))
        XCTAssertEqual(clipping["fc2"], .disabled)
        XCTAssertEqual(clipping.count, layers.count)
        XCTAssertEqual(try parseScript("").activationClipping(layerNames: ["x"]), ["x": .disabled])
        let error = try resolutionError("pre_quantization_optimization(activation_clipping, layers={fx*}, mode=mse)") {
            _ = try $0.activationClipping(layerNames: layers)
        }
        XCTAssertEqual(error?.message, "test.alls:1:60: the glob 'fx*' matches no layer")
    }

    func testCheckLayerNamesCoversInputCommands() throws {
        let script = try parseScript("""
            normalization([1], [2], images)
            input_conversion(images, bgr_to_rgb)
            resize(logits, resize_shapes=[10, 10])
            """)
        XCTAssertNoThrow(try script.checkLayerNames(layerNames: layers + ["logits"], inputNames: ["images"]))
        XCTAssertThrowsError(try script.checkLayerNames(layerNames: layers + ["logits"], inputNames: ["image"])) {
            let error = $0 as? EdgeflowError
            XCTAssertEqual(error?.message, "test.alls:1: no input named 'images'")
            XCTAssertEqual(error?.hint, "did you mean 'image'?")
        }
        XCTAssertThrowsError(try script.checkLayerNames(layerNames: layers, inputNames: ["images"])) {
            XCTAssertEqual(($0 as? EdgeflowError)?.message, "test.alls:3: no layer named 'logits'")
        }
    }

    func testOptimizationLevelDefaultsAndExplicitOverrides() throws {
        let level0 = try parseScript("model_optimization_flavor(optimization_level=0)").settings
        XCTAssertEqual([level0.equalization, level0.biasCorrection, level0.smoothQuant], [true, false, false])
        let level1 = try parseScript("model_optimization_flavor(optimization_level=1)").settings
        XCTAssertEqual([level1.equalization, level1.biasCorrection, level1.smoothQuant], [true, true, false])
        let level2 = try parseScript("model_optimization_flavor(optimization_level=2)").settings
        XCTAssertEqual([level2.equalization, level2.biasCorrection, level2.smoothQuant], [true, true, true])
        XCTAssertEqual(level2.optimizationLevel, 2)
        XCTAssertEqual(level2.smoothQuantAlpha, 0.5)

        let overridden = try parseScript("""
            post_quantization_optimization(bias_correction, policy=disabled)
            model_optimization_flavor(optimization_level=2, batch_size=32)
            pre_quantization_optimization(smooth_quant, policy=disabled)
            pre_quantization_optimization(equalization, policy=disabled)
            model_optimization_config(calibration, batch_size=2)
            """).settings
        XCTAssertEqual([overridden.equalization, overridden.biasCorrection, overridden.smoothQuant],
                       [false, false, false])
        XCTAssertEqual(overridden.batchSize, 2)
        XCTAssertEqual(overridden.calibsetSize, 64)
        XCTAssertEqual(overridden.range, .minmax)
        XCTAssertNil(overridden.percentile)

        let defaults = QuantizationSettings.defaults
        XCTAssertEqual(defaults.calibsetSize, 64)
        XCTAssertEqual(defaults.batchSize, 8)
        XCTAssertEqual(defaults.optimizationLevel, 0)
        XCTAssertEqual(defaults.range, .minmax)
    }

    func testLaterSingleSettingsOverrideEarlierOnes() throws {
        let script = try parseScript("""
            preprocessing(recipe=clip)
            preprocessing(recipe=siglip, size=256)
            model_optimization_config(calibration, calibset_size=128, batch_size=4)
            model_optimization_config(calibration, calibset_size=512)
            """)
        XCTAssertEqual(script.preprocessing?.recipe, "siglip")
        XCTAssertEqual(script.preprocessing?.line, 2)
        XCTAssertEqual(script.settings.calibsetSize, 512)
        XCTAssertEqual(script.settings.batchSize, 4)
    }

    /// A full script in the style of Hailo's model-zoo CLIP scripts.
    func testRealisticCLIPScript() throws {
        let text = """
            # CLIP ViT-B/32 image encoder, a8_w8 with 16-bit LayerNorm and softmax-adjacent matmuls
            normalization1 = normalization([122.7709383, 116.7460125, 104.09373615],
                                           [68.5005327, 66.6321579, 70.32316305])
            preprocessing(recipe=clip, size=224)
            model_optimization_flavor(optimization_level=1, batch_size=8)
            model_optimization_config(calibration, batch_size=8, calibset_size=1024)
            model_optimization_config(calibration, range=percentile, percentile=99.99)
            pre_quantization_optimization(equalization, policy=enabled)
            pre_quantization_optimization(activation_clipping, layers={*fc*}, mode=percentile,
                                          clipping_values=[0.01, 99.99])
            quantization_param({*layer_norm*}, precision_mode=a16_w8)
            quantization_param({*matmul*}, precision_mode=a16_w8)
            quantization_param([output_proj], precision_mode=float)
            post_quantization_optimization(bias_correction, policy=enabled)
            """
        let script = try parseScript(text)
        XCTAssertEqual(script.source, text)
        XCTAssertEqual(script.normalizations.first?.results, ["normalization1"])
        XCTAssertEqual(script.normalizations.first?.mean.count, 3)
        XCTAssertEqual(try script.preprocessRecipe(), .clip(size: 224))
        XCTAssertEqual(script.settings, QuantizationSettings(
            optimizationLevel: 1, calibsetSize: 1024, batchSize: 8, range: .percentile, percentile: 99.99,
            equalization: true, biasCorrection: true, smoothQuant: false, smoothQuantAlpha: 0.5))
        let names = ["patch_embed/conv", "block0/layer_norm1", "block0/attn/matmul_qk", "block0/attn/matmul_v",
                     "block0/mlp/fc1", "block0/mlp/fc2", "block0/layer_norm2", "output_proj"]
        let precisions = try script.precisions(layerNames: names)
        XCTAssertEqual(precisions["patch_embed/conv"], .a8w8)
        XCTAssertEqual(precisions["block0/layer_norm1"], .a16w8)
        XCTAssertEqual(precisions["block0/attn/matmul_v"], .a16w8)
        XCTAssertEqual(precisions["block0/mlp/fc1"], .a8w8)
        XCTAssertEqual(precisions["output_proj"], .float)
        let clipping = try script.activationClipping(layerNames: names)
        XCTAssertEqual(clipping["block0/mlp/fc2"]?.percentiles, 0.01...99.99)
        XCTAssertEqual(clipping["block0/layer_norm2"], .disabled)
        XCTAssertNoThrow(try script.checkLayerNames(layerNames: names, inputNames: ["pixel_values"]))
    }
}
