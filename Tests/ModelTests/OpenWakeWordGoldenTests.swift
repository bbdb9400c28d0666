// openWakeWord's models from the openwakeword==0.5.1 wheel, each shipped as .tflite and .onnx, chained
// as openWakeWord chains them: made-up audio → melspectrogram → speech embeddings → six wake word
// models, against LiteRT and onnxruntime (tools/goldens/make_openwakeword_goldens.py). The
// melspectrogram's length and the embedding model's batch are placeholders in both files; the cases
// set them (57,600 samples, 34 windows).

import EFTestSupport
import XCTest

final class OpenWakeWordGoldenTests: XCTestCase {
    private let wakeWords = ["alexa", "hey_jarvis", "hey_mycroft", "hey_rhasspy", "timer", "weather"]

    /// Release build only: the embedding model runs 34 windows through 20 convolutions.
    func testFeatureModels() throws {
        for model in ["melspectrogram", "embedding_model"] {
            for format in ["tflite", "onnx"] {
                try GoldenRunner.checkModelSized("openwakeword_\(model)_\(format)")
            }
        }
    }

    func testWakeWordModels() throws {
        for word in wakeWords {
            for format in ["tflite", "onnx"] {
                try GoldenRunner.check(GoldenCase.load("openwakeword_\(word)_\(format)"))
            }
        }
    }
}
