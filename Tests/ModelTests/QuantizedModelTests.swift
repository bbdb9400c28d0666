// Real-weight models quantized to int8 with photos as the calibration set, checked on the
// task each model does (the accuracy targets of the quantization issue) and for bit-exactness
// between the quantized emulator and the int8 executable. Calibration photos never include the
// image the test measures on.

import EFCore
import EFMedia
import EFTestSupport
import XCTest

final class QuantizedModelTests: XCTestCase {
    override func setUpWithError() throws {
        try XCTSkipUnless(TestData.isOptimizedBuild,
            "model-sized test: runs in the optimized build (scripts/test.sh), too slow in debug")
    }

    private func calibration(_ golden: GoldenCase, layout: CalibrationPhotos.Layout,
                             _ normalization: Normalization, count: Int = 8) throws -> [[String: Tensor]] {
        let (name, tensor) = try XCTUnwrap(try golden.inputTensors().first)
        return try CalibrationPhotos.samples(count, shape: tensor.shape, layout: layout, normalization: normalization)
            .map { [name: $0] }
    }

    /// Recognition strings on the page's five text lines are unchanged after int8.
    func testPPOCRv4RecognitionStringsUnchanged() throws {
        let golden = try GoldenCase.load("ppocrv4_rec_page")
        let outcome = try QuantizedRunner.run(golden, samples: try calibration(golden, layout: .nchw, .ocrRecognition,
                                                                                 count: 4), randomInputs: 2)
        let dictionary = try XCTUnwrap(outcome.graph.metadata["character"])
        let logits = try XCTUnwrap(outcome.quantized["softmax_11.tmp_0"])
        XCTAssertEqual(try CTCGreedyDecoder(dictionary: dictionary).decode(logits), try XCTUnwrap(golden.texts))
    }

    /// The direction classifier's decision on every crop is unchanged.
    func testPPOCRv4ClassificationUnchanged() throws {
        let golden = try GoldenCase.load("ppocrv4_cls_page")
        let outcome = try QuantizedRunner.run(golden, samples: try calibration(golden, layout: .nchw, .ocrRecognition),
                                              randomInputs: 8)
        let name = "save_infer_model/scale_0.tmp_1"
        XCTAssertEqual(Self.argmaxRows(try XCTUnwrap(outcome.quantized[name])),
                       Self.argmaxRows(try XCTUnwrap(outcome.float[name])))
    }

    /// The text mask (DB threshold 0.3) keeps IoU ≥ 0.98 with the float model's.
    func testPPOCRv4DetectionMaskIoU() throws {
        let golden = try GoldenCase.load("ppocrv4_det_page")
        let outcome = try QuantizedRunner.run(golden, samples: try calibration(golden, layout: .nchw, .ocrDetection,
                                                                                 count: 4), randomInputs: 1)
        let name = "sigmoid_0.tmp_0"
        let q = try XCTUnwrap(outcome.quantized[name]).scalars(as: Float.self)
        let f = try XCTUnwrap(outcome.float[name]).scalars(as: Float.self)
        var both = 0, either = 0
        for (a, b) in zip(q, f) where a > 0.3 || b > 0.3 {
            either += 1
            if a > 0.3 && b > 0.3 { both += 1 }
        }
        let iou = Double(both) / Double(max(either, 1))
        print("ppocrv4 det int8 mask IoU vs float: \(iou)")
        XCTAssertGreaterThanOrEqual(iou, 0.98)
    }

    /// MTCNN's three nets: face/non-face decisions unchanged; box regressions close.
    func testMTCNNDecisionsUnchanged() throws {
        let mtcnn = Normalization(mean: [0.5, 0.5, 0.5], std: [128.0 / 255, 128.0 / 255, 128.0 / 255])
        for (caseName, probability, boxes) in [("mtcnn_pnet_kafka", "softmax", "conv2d_4"),
                                               ("mtcnn_rnet_kafka", "softmax_1", "dense_2"),
                                               ("mtcnn_onet_kafka", "softmax_2", "dense_5")] {
            let golden = try GoldenCase.load(caseName)
            let outcome = try QuantizedRunner.run(golden, samples: try calibration(golden, layout: .nwhc, mtcnn),
                                                  randomInputs: 20)
            let q = try XCTUnwrap(outcome.quantized[probability]).scalars(as: Float.self)
            let f = try XCTUnwrap(outcome.float[probability]).scalars(as: Float.self)
            // Face probability is channel 1 of each pair; MTCNN's thresholds are 0.6 / 0.7 / 0.7.
            let threshold: Float = caseName == "mtcnn_pnet_kafka" ? 0.6 : 0.7
            var flips = 0
            for i in stride(from: 1, to: q.count, by: 2) where (q[i] > threshold) != (f[i] > threshold) { flips += 1 }
            let cosine = QuantizedRunner.cosine(try XCTUnwrap(outcome.quantized[boxes]),
                                                try XCTUnwrap(outcome.float[boxes]))
            print("\(caseName) int8: \(flips) face decisions flipped of \(q.count / 2), box cosine \(cosine)")
            XCTAssertEqual(flips, 0, caseName)
            XCTAssertGreaterThan(cosine, 0.99, caseName)
        }
    }

    static func argmaxRows(_ t: Tensor) -> [Int] {
        let values = t.scalars(as: Float.self), columns = t.shape.last ?? 1
        return stride(from: 0, to: values.count, by: columns).map { start in
            (start..<(start + columns)).max { values[$0] < values[$1] }! - start
        }
    }
}
