// Every kind of bad model script is refused with EdgeflowError(.invalidInput) naming the file,
// line and column, with the nearest valid name for unknown names; size limits hold.

import EFCore
import EFQuantize
import XCTest

final class ModelScriptErrorTests: XCTestCase {
    /// The error `text` is refused with (fails the test when it is accepted).
    private func error(_ text: String, file: StaticString = #filePath, line: UInt = #line) -> EdgeflowError? {
        do {
            _ = try parseScript(text)
            XCTFail("accepted: \(text.prefix(200))", file: file, line: line)
            return nil
        } catch let error as EdgeflowError {
            XCTAssertEqual(error.kind, .invalidInput, file: file, line: line)
            return error
        } catch {
            XCTFail("not an EdgeflowError: \(error)", file: file, line: line)
            return nil
        }
    }

    private func assertError(_ text: String, starts prefix: String, contains part: String, hint: String? = nil,
                             file: StaticString = #filePath, line: UInt = #line) {
        guard let error = error(text, file: file, line: line) else { return }
        XCTAssertTrue(error.message.hasPrefix(prefix), "message: \(error.message)", file: file, line: line)
        XCTAssertTrue(error.message.contains(part), "message: \(error.message)", file: file, line: line)
        if let hint { XCTAssertEqual(error.hint, hint, file: file, line: line) }
    }

    func testSyntaxErrorsNameLineAndColumn() {
        assertError("quantization_param(conv1 precision_mode=a8_w8)", starts: "test.alls:1:26:",
                    contains: "expected ',' or ')'")
        assertError("\n\n  normalization([1], [1]) extra", starts: "test.alls:3:27:",
                    contains: "expected the end of the line")
        assertError("quantization_param", starts: "test.alls:1:19:", contains: "expected '('")
        assertError("normalization([1], [1]) $", starts: "test.alls:1:25:", contains: "unexpected character '$'")
        assertError("preprocessing(recipe=\"clip)", starts: "test.alls:1:22:", contains: "unterminated string")
        assertError("normalization([1.], [1])", starts: "test.alls:1:16:", contains: "decimal point")
        assertError("normalization([- 1], [1])", starts: "test.alls:1:16:", contains: "digit after the sign")
        assertError("resize(resize_shapes=[3h, 4])", starts: "test.alls:1:23:", contains: "malformed number")
        assertError("normalization([1e999], [1])", starts: "test.alls:1:16:", contains: "out of range")
        assertError("a, = normalization([1], [1])", starts: "test.alls:1:4:", contains: "expected a result name")
        assertError("= normalization([1], [1])", starts: "test.alls:1:1:", contains: "expected a command name")
        assertError("normalization([1]=[2])", starts: "test.alls:1:15:", contains: "cannot be a key")
        assertError("quantization_param({conv1, [2]}, precision_mode=float)", starts: "test.alls:1:28:",
                    contains: "expected a layer name or glob")
        assertError("preprocessing(recipe=\"a\\qb\")", starts: "test.alls:1:24:", contains: "unknown escape")
    }

    func testUnbalancedBrackets() {
        assertError("normalization([1, 2], [1, 2]\nquantization_param(conv1, precision_mode=bf16)",
                    starts: "test.alls:2:1:", contains: "expected ',' or ')'", hint: "the bracket was opened at "
                        + "line 1, column 1")
        assertError("normalization([1, 2, [1, 2])", starts: "test.alls:1:28:", contains: "']' closing the list")
        assertError("quantization_param({conv1, precision_mode=bf16)", starts: "test.alls:1:42:",
                    contains: "'}' closing the layer set")
        assertError("normalization([1], [1]))", starts: "test.alls:1:24:", contains: "expected the end of the line")
        assertError("normalization([1]], [1])", starts: "test.alls:1:18:", contains: "expected ',' or ')'")
        assertError("normalization([1], [1]", starts: "test.alls:1:23:", contains: "found the end of the script")
    }

    func testUnknownCommandSuggestsNearest() {
        assertError("quantisation_param(conv1, precision_mode=a8_w8)", starts: "test.alls:1:1:",
                    contains: "unknown command 'quantisation_param'", hint: "did you mean 'quantization_param'?")
        assertError("\nnormalisation([1], [1])", starts: "test.alls:2:1:", contains: "unknown command",
                    hint: "did you mean 'normalization'?")
        assertError("nms_postprocess('cfg.json', meta_arch=yolov8)", starts: "test.alls:1:1:",
                    contains: "Dataflow Compiler command that Edgeflow does not support yet")
    }

    func testUnknownKeysFeaturesAndValuesSuggestNearest() {
        assertError("quantization_param(conv1, precison_mode=a8_w8)", starts: "test.alls:1:27:",
                    contains: "unknown key 'precison_mode' for quantization_param",
                    hint: "did you mean 'precision_mode'?")
        assertError("model_optimization_config(calibration, calibset=64)", starts: "test.alls:1:40:",
                    contains: "unknown key 'calibset'", hint: "did you mean 'calibset_size'?")
        assertError("pre_quantization_optimization(equalisation, policy=enabled)", starts: "test.alls:1:31:",
                    contains: "unknown feature 'equalisation'", hint: "did you mean 'equalization'?")
        assertError("quantization_param(conv1, precision_mode=a16_w9)", starts: "test.alls:1:42:",
                    contains: "unknown value for 'precision_mode' 'a16_w9'", hint: "did you mean 'a16_w8'?")
        assertError("preprocessing(recipe=ocr-dt)", starts: "test.alls:1:22:",
                    contains: "unknown preprocessing recipe 'ocr-dt'", hint: "did you mean 'ocr-det'?")
        assertError("quantization_param(conv1, bias_mode=double_scale_initialization)", starts: "test.alls:1:27:",
                    contains: "Dataflow Compiler key that Edgeflow does not support yet")
        assertError("quantization_param(conv1, precision_mode=a8_w4)", starts: "test.alls:1:42:",
                    contains: "no kernels for yet")
        assertError("post_quantization_optimization(finetune, policy=enabled)", starts: "test.alls:1:32:",
                    contains: "does not support yet")
        assertError("model_optimization_config(checker_cfg, policy=enabled)", starts: "test.alls:1:27:",
                    contains: "Dataflow Compiler section")
        assertError("input_conversion(yuv_to_hsv)", starts: "test.alls:1:18:", contains: "unknown value",
                    hint: "did you mean 'yuv_to_rgb'?")
        assertError("quantization_param(conv1, precision_mode=bf16, precision_mode=float)", starts: "test.alls:1:48:",
                    contains: "given twice")
    }

    func testValueRanges() {
        let cases: [(String, String)] = [
            ("model_optimization_config(calibration, batch_size=0)", "'batch_size'"),
            ("model_optimization_config(calibration, batch_size=1025)", "1...1024"),
            ("model_optimization_config(calibration, calibset_size=100001)", "1...100000"),
            ("model_optimization_config(calibration, calibset_size=64.0)", "an integer"),
            ("model_optimization_config(calibration, range=percentile, percentile=50)", "(50, 100]"),
            ("model_optimization_config(calibration, range=percentile, percentile=100.01)", "(50, 100]"),
            ("model_optimization_flavor(optimization_level=3)", "0...2"),
            ("model_optimization_flavor(optimization_level=-1)", "0...2"),
            ("model_optimization_flavor(batch_size=99999999999999999999999)", "1...1024"),
            ("pre_quantization_optimization(smooth_quant, policy=enabled, alpha=1.5)", "[0, 1]"),
            ("pre_quantization_optimization(smooth_quant, policy=enabled, alpha=-0.1)", "[0, 1]"),
            ("pre_quantization_optimization(activation_clipping, mode=percentile, clipping_values=[99, 1])",
             "lower < upper"),
            ("pre_quantization_optimization(activation_clipping, mode=percentile, clipping_values=[0, 101])",
             "<= 100"),
            ("resize(resize_shapes=[0, 640])", "integer sides"),
            ("resize(resize_shapes=[224.5, 640])", "integer sides"),
            ("resize(resize_shapes=[224])", "a list of 2 numbers"),
            ("preprocessing(recipe=clip, size=9000)", "1...8192"),
            ("input_conversion(rgb_to_bgr, emulator_support=yes)", "True or False"),
        ]
        for (text, part) in cases {
            assertError("\n" + text, starts: "test.alls:2:", contains: part)
        }
    }

    func testNormalizationChecks() {
        assertError("normalization([1, 2, 3], [1, 2])", starts: "test.alls:1:26:", contains: "3 mean values but 2")
        assertError("normalization([1], [0])", starts: "test.alls:1:20:", contains: "must be > 0")
        assertError("normalization([1], [-2])", starts: "test.alls:1:20:", contains: "must be > 0")
        assertError("normalization([], [])", starts: "test.alls:1:15:", contains: "a list of 1 to 65536 numbers")
        assertError("normalization([1])", starts: "test.alls:1:1:", contains: "needs a mean list and a std list")
        assertError("normalization([a], [1])", starts: "test.alls:1:15:", contains: "numbers")
    }

    func testCommandShapeChecks() {
        assertError("x = quantization_param(conv1, precision_mode=bf16)", starts: "test.alls:1:5:",
                    contains: "creates no layer")
        assertError("quantization_param(precision_mode=bf16, conv1)", starts: "test.alls:1:41:",
                    contains: "positional argument after")
        assertError("quantization_param(precision_mode=bf16)", starts: "test.alls:1:1:", contains: "needs the layers")
        assertError("quantization_param(conv1)", starts: "test.alls:1:1:", contains: "needs precision_mode")
        assertError("quantization_param(conv*, precision_mode=bf16)", starts: "test.alls:1:20:",
                    contains: "one layer name")
        assertError("quantization_param({}, precision_mode=bf16)", starts: "test.alls:1:20:", contains: "no layers")
        assertError("pre_quantization_optimization(policy=enabled)", starts: "test.alls:1:1:",
                    contains: "needs a feature first")
        assertError("pre_quantization_optimization(equalization)", starts: "test.alls:1:1:", contains: "needs policy")
        assertError("pre_quantization_optimization(activation_clipping, mode=percentile)", starts: "test.alls:1:1:",
                    contains: "needs clipping_values")
        assertError("pre_quantization_optimization(activation_clipping, mode=mse, clipping_values=[1, 2])",
                    starts: "test.alls:1:78:", contains: "apply only with mode=percentile")
        assertError("model_optimization_config(calibration, percentile=99.9)", starts: "test.alls:1:",
                    contains: "calibration range method is minmax")
        assertError("resize(a, b, resize_shapes=[1, 1])", starts: "test.alls:1:11:", contains: "too many positional")
    }

    func testSizeLimits() throws {
        let big = String(repeating: "#", count: ScriptLimits.maxBytes + 1)
        assertError(big, starts: "test.alls:", contains: "more than the limit of 1048576")
        XCTAssertNoThrow(try parseScript(String(repeating: "#", count: ScriptLimits.maxBytes)))

        let line = "post_quantization_optimization(bias_correction, policy=enabled)\n"
        XCTAssertEqual(try parseScript(String(repeating: line, count: ScriptLimits.maxCommands))
                        .biasCorrection?.line, ScriptLimits.maxCommands)
        assertError(String(repeating: line, count: ScriptLimits.maxCommands + 1),
                    starts: "test.alls:10001:1:", contains: "more than 10000 commands")

        let values = Array(repeating: "1", count: ScriptLimits.maxListLength)
        let atLimit = "normalization([" + values.joined(separator: ",") + "], [" + values.joined(separator: ",") + "])"
        XCTAssertEqual(try parseScript(atLimit).normalizations[0].mean.count, ScriptLimits.maxListLength)
        let over = "normalization([" + values.joined(separator: ",") + ",1], [1])"
        assertError(over, starts: "test.alls:1:", contains: "list longer than 65536")
        let set = "quantization_param({" + Array(repeating: "a", count: ScriptLimits.maxListLength + 1)
            .joined(separator: ",") + "}, precision_mode=bf16)"
        assertError(set, starts: "test.alls:1:", contains: "layer set longer than 65536")

        assertError("normalization([[[[1]]]], [1])", starts: "test.alls:1:15:", contains: "number")
        assertError("normalization([[[[[1]]]]], [1])", starts: "test.alls:1:19:", contains: "nested deeper than 4")
        assertError(String(repeating: "[", count: 100_000), starts: "test.alls:1:1:", contains: "expected a command")
        assertError("normalization(" + String(repeating: "[", count: 100_000), starts: "test.alls:1:19:",
                    contains: "nested deeper than 4")
    }
}
