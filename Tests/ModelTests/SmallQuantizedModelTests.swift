// The small generated models (CLIP and TinyCLIP towers with GELU and LayerNorm, ResNet, BERT)
// quantized in every build: emulator and int8 executable byte for byte on the golden input and,
// for image models, on random inputs; outputs close to float. Their weights are random, so the
// cosine floor is loose; the real-weight accuracy checks are in QuantizedModelTests.

import EFCore
import EFQuantize
import EFTestSupport
import XCTest

final class SmallQuantizedModelTests: XCTestCase {
    private func check(_ name: String, floatInputs: Bool) throws {
        let golden = try GoldenCase.load(name)
        let inputs = try golden.inputTensors()
        var samples = [inputs]
        if floatInputs {
            samples += (0..<4).map { index in
                inputs.mapValues {
                    Tensor(shape: $0.shape, scalars: deterministicFloats($0.count, seed: UInt64(index)))
                }
            }
        }
        let outcome = try QuantizedRunner.run(golden, samples: samples, randomInputs: floatInputs ? 10 : 0)
        XCTAssertGreaterThan(outcome.report.quantizedCount, 0, name)
        for output in outcome.graph.outputs {
            let cosine = QuantizedRunner.cosine(try XCTUnwrap(outcome.quantized[output]),
                                                try XCTUnwrap(outcome.float[output]))
            print("\(name) int8 \(output): cosine \(cosine) vs float")
            XCTAssertGreaterThan(cosine, 0.95, "\(name) \(output)")
        }
    }

    func testCLIPVisionSmall() throws { try check("clip_vitb32_vision_small", floatInputs: true) }
    func testTinyCLIPVisionSmall() throws { try check("tinyclip_vit39m16_vision_small", floatInputs: true) }
    func testResNetSmall() throws { try check("resnet50_small", floatInputs: true) }
    func testCLIPTextSmall() throws { try check("clip_vitb32_text_small", floatInputs: false) }
    func testBERTSmall() throws { try check("bert_small", floatInputs: false) }
}
