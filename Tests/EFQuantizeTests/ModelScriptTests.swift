// The model-script parser on every command: each parses into the typed values written, with
// comments, result names, globs, negative and float numbers, and the verbatim source kept.

import EFCore
import EFMedia
import EFQuantize
import Foundation
import XCTest

/// Parses `text` as `test.alls`.
func parseScript(_ text: String) throws -> ModelScript {
    try ModelScript(parsing: text, fileName: "test.alls")
}

final class ModelScriptTests: XCTestCase {
    func testEmptyScriptAndCommentsOnly() throws {
        let script = try parseScript("# nothing here\n\n   # still nothing\n")
        XCTAssertEqual(script.source, "# nothing here\n\n   # still nothing\n")
        XCTAssertTrue(script.precisionRules.isEmpty)
        XCTAssertEqual(script.settings, QuantizationSettings.defaults)
    }

    func testNormalizationWithResultNameAndInputLayer() throws {
        let script = try parseScript("""
            norm1 = normalization([123.675, 116.28, 103.53], [58.395, 57.12, 57.375])  # ImageNet
            n2 = normalization([0], [255.0], input_layer2)
            """)
        XCTAssertEqual(script.normalizations.count, 2)
        let first = script.normalizations[0]
        XCTAssertEqual(first.results, ["norm1"])
        XCTAssertEqual(first.mean, [123.675, 116.28, 103.53])
        XCTAssertEqual(first.std, [58.395, 57.12, 57.375])
        XCTAssertNil(first.inputLayer)
        XCTAssertEqual(first.line, 1)
        XCTAssertEqual(script.normalizations[1].inputLayer, "input_layer2")
        XCTAssertEqual(script.normalizations[1].mean, [0])
        XCTAssertEqual(script.normalizations[1].line, 2)
    }

    func testInputConversions() throws {
        let script = try parseScript("""
            input_conversion(bgr_to_rgb)
            a, b = input_conversion(input_layer1, yuv_to_rgb, emulator_support=True)
            input_conversion(nv12_to_rgb)
            input_conversion(rgb_to_bgr, emulator_support=False)
            """)
        XCTAssertEqual(script.inputConversions.map(\.conversion), [.bgrToRgb, .yuvToRgb, .nv12ToRgb, .rgbToBgr])
        XCTAssertEqual(script.inputConversions[1].results, ["a", "b"])
        XCTAssertEqual(script.inputConversions[1].inputLayer, "input_layer1")
        XCTAssertEqual(script.inputConversions.map(\.emulatorSupport), [false, true, false, false])
    }

    func testResize() throws {
        let script = try parseScript("""
            resize(resize_shapes=[480, 640])
            r = resize(input_layer1, resize_shapes=[224, 224], resize_method=nearest_neighbor)
            """)
        XCTAssertEqual(script.resizes.count, 2)
        XCTAssertEqual(script.resizes[0].height, 480)
        XCTAssertEqual(script.resizes[0].width, 640)
        XCTAssertEqual(script.resizes[0].method, .bilinear)
        XCTAssertNil(script.resizes[0].layer)
        XCTAssertEqual(script.resizes[1].method, .nearestNeighbor)
        XCTAssertEqual(script.resizes[1].layer, "input_layer1")
        XCTAssertEqual(script.resizes[1].results, ["r"])
    }

    func testPreprocessingAcceptsEveryRecipeName() throws {
        for (name, _) in PreprocessRecipe.presetNames {
            let script = try parseScript("preprocessing(recipe=\(name), size=96)")
            XCTAssertEqual(script.preprocessing?.recipe, name)
            XCTAssertEqual(script.preprocessing?.size, 96)
            XCTAssertEqual(try script.preprocessRecipe()?.name, try PreprocessRecipe.named(name).name)
        }
        let plain = try parseScript("preprocessing(recipe=clip)")
        XCTAssertNil(plain.preprocessing?.size)
        XCTAssertEqual(try plain.preprocessRecipe(), PreprocessRecipe.clip(size: 224))
        XCTAssertNil(try parseScript("").preprocessRecipe())
    }

    func testCalibrationConfig() throws {
        let script = try parseScript("""
            model_optimization_config(calibration, batch_size=4, calibset_size=256)
            model_optimization_config(calibration, range=percentile, percentile=99.9)
            """)
        XCTAssertEqual(script.calibration.batchSize, 4)
        XCTAssertEqual(script.calibration.calibsetSize, 256)
        XCTAssertEqual(script.calibration.range, .percentile)
        XCTAssertEqual(script.calibration.percentile, 99.9)
        let settings = script.settings
        XCTAssertEqual(settings.batchSize, 4)
        XCTAssertEqual(settings.calibsetSize, 256)
        XCTAssertEqual(settings.range, .percentile)
        XCTAssertEqual(settings.percentile, 99.9)
        XCTAssertEqual(try parseScript("model_optimization_config(calibration, range=mse)").settings.range, .mse)
        XCTAssertEqual(try parseScript("model_optimization_config(calibration, range=percentile)").settings
                        .percentile, 99.99)
    }

    func testFlavor() throws {
        let script = try parseScript("model_optimization_flavor(optimization_level=2, batch_size=16)")
        XCTAssertEqual(script.flavor.optimizationLevel, 2)
        XCTAssertEqual(script.flavor.batchSize, 16)
        XCTAssertEqual(script.settings.batchSize, 16)
    }

    func testQuantizationParamLayerForms() throws {
        let script = try parseScript("""
            quantization_param(conv1, precision_mode=a16_w8)
            quantization_param([conv2, "odd name/with space"], precision_mode=bf16)
            quantization_param({conv*, fc?, *layer_norm*}, precision_mode=float)
            quantization_param({'/visual/ln_post/*'}, precision_mode=a8_w8)
            """)
        let rules = script.precisionRules
        XCTAssertEqual(rules.map(\.mode), [.a16w8, .bf16, .float, .a8w8])
        XCTAssertEqual(rules[0].layers, [LayerPattern(kind: .name, text: "conv1",
                                                      location: ScriptLocation(line: 1, column: 20))])
        XCTAssertEqual(rules[1].layers.map(\.text), ["conv2", "odd name/with space"])
        XCTAssertEqual(rules[1].layers.map(\.kind), [.name, .name])
        XCTAssertEqual(rules[2].layers.map(\.text), ["conv*", "fc?", "*layer_norm*"])
        XCTAssertEqual(rules[2].layers.map(\.kind), [.glob, .glob, .glob])
        XCTAssertEqual(rules[2].layers.map(\.location.column), [21, 28, 33])
        XCTAssertEqual(rules[3].layers.map(\.text), ["/visual/ln_post/*"])
        XCTAssertEqual(rules.map(\.line), [1, 2, 3, 4])
    }

    func testPreQuantizationFeatures() throws {
        let script = try parseScript("""
            pre_quantization_optimization(equalization, policy=disabled)
            pre_quantization_optimization(smooth_quant, policy=enabled, alpha=0.75)
            pre_quantization_optimization(activation_clipping, layers={conv*}, mode=percentile,
                                          clipping_values=[0.01, 99.99])
            pre_quantization_optimization(activation_clipping, layers=[fc1], mode=mse)
            pre_quantization_optimization(activation_clipping, mode=disabled)
            """)
        XCTAssertEqual(script.equalization, PolicySetting(policy: .disabled, line: 1))
        XCTAssertEqual(script.smoothQuant?.policy, .enabled)
        XCTAssertEqual(script.smoothQuant?.alpha, 0.75)
        let clipping = script.activationClippingRules
        XCTAssertEqual(clipping.map(\.line), [3, 5, 6])
        XCTAssertEqual(clipping[0].clipping, ActivationClipping(mode: .percentile, percentiles: 0.01...99.99))
        XCTAssertEqual(clipping[0].layers?.map(\.text), ["conv*"])
        XCTAssertEqual(clipping[1].clipping, ActivationClipping(mode: .mse))
        XCTAssertEqual(clipping[1].layers?.map(\.kind), [.name])
        XCTAssertNil(clipping[2].layers)
        XCTAssertEqual(clipping[2].clipping, .disabled)
        let settings = script.settings
        XCTAssertFalse(settings.equalization)
        XCTAssertTrue(settings.smoothQuant)
        XCTAssertEqual(settings.smoothQuantAlpha, 0.75)
    }

    func testBiasCorrection() throws {
        let script = try parseScript("post_quantization_optimization(bias_correction, policy=enabled)")
        XCTAssertEqual(script.biasCorrection, PolicySetting(policy: .enabled, line: 1))
        XCTAssertTrue(script.settings.biasCorrection)
    }

    func testNumbersNegativeExponentAndTrailingCommas() throws {
        let script = try parseScript("normalization([-1.5, +2, 3e-1, 0.5E+1,], [1, 2, 3, 4],)")
        XCTAssertEqual(script.normalizations[0].mean, [-1.5, 2, 0.3, 5])
    }

    func testCommandsMaySpanLinesInsideBrackets() throws {
        let script = try parseScript("""
            normalization(
                [123.675, 116.28, 103.53],   # mean
                [58.395, 57.12, 57.375],     # std
            )
            quantization_param(conv1, precision_mode=a16_w8)
            """)
        XCTAssertEqual(script.normalizations[0].std, [58.395, 57.12, 57.375])
        XCTAssertEqual(script.precisionRules[0].line, 5)
    }

    func testCRLFLineEndsAndTabs() throws {
        let script = try parseScript("quantization_param(conv1,\tprecision_mode=bf16)\r\n"
                                     + "post_quantization_optimization(bias_correction, policy=disabled)\r\n")
        XCTAssertEqual(script.precisionRules[0].mode, .bf16)
        XCTAssertEqual(script.biasCorrection?.line, 2)
    }

    func testSourceRoundTripsVerbatimAndThroughJSON() throws {
        let text = "# CLIP\r\nnormalization([0.5], [0.25])  \n\n\tquantization_param({*}, precision_mode=float)\n"
        let script = try parseScript(text)
        XCTAssertEqual(script.source, text)
        XCTAssertEqual(script.fileName, "test.alls")
        XCTAssertEqual(try parseScript(script.source), script)
        let decoded = try JSONDecoder().decode(ModelScript.self, from: JSONEncoder().encode(script))
        XCTAssertEqual(decoded, script)
        XCTAssertEqual(decoded.source, text)
    }

    func testLoadFromFile() throws {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("ef-script-\(UUID()).alls")
        try Data("quantization_param(fc1, precision_mode=a16_w8)\n".utf8).write(to: url)
        defer { try? FileManager.default.removeItem(at: url) }
        let script = try ModelScript.load(contentsOf: url)
        XCTAssertEqual(script.fileName, url.path)
        XCTAssertEqual(script.precisionRules.first?.mode, .a16w8)
        let missing = url.appendingPathExtension("missing")
        XCTAssertThrowsError(try ModelScript.load(contentsOf: missing)) {
            XCTAssertEqual(($0 as? EdgeflowError)?.kind, .io)
        }
    }
}
