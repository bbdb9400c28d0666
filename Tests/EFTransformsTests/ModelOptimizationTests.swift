// The optimizer on real and generated models: the optimized graph must still match
// onnxruntime's committed outputs within the model tests' tolerance, and the passes must have
// found what these models are known to contain.

import EFCore
import EFIR
import EFTestSupport
import EFTransforms
import XCTest

final class SmallModelOptimizationTests: XCTestCase {
    func testResNetSmall() throws {
        let (report, graph, _) = try GoldenCase.load("resnet50_small").checkOptimized()
        XCTAssertGreaterThan(report["fold-batchnorm"]?.changes ?? 0, 0)
        XCTAssertGreaterThan(report["fuse-epilogue"]?.changes ?? 0, 0)
        XCTAssertEqual(graph.count(.binary), 0, "every BN mul/add and residual add should be folded or fused")
    }

    func testCLIPTextSmall() throws {
        let (report, graph, _) = try GoldenCase.load("clip_vitb32_text_small").checkOptimized()
        XCTAssertGreaterThan(report["recognize-layernorm"]?.changes ?? 0, 0)
        XCTAssertEqual(graph.count(.reduce), 0, "decomposed LayerNorms left: \(graph.count(.reduce)) reduces")
        XCTAssertGreaterThan(report["recognize-gelu"]?.changes ?? 0, 0)
        XCTAssertGreaterThan(report["recognize-attention"]?.changes ?? 0, 0)
    }

    func testCLIPVisionSmall() throws {
        let (report, _, _) = try GoldenCase.load("clip_vitb32_vision_small").checkOptimized()
        XCTAssertGreaterThan(report["recognize-gelu"]?.changes ?? 0, 0)
        XCTAssertGreaterThan(report["fold-matmul-bias"]?.changes ?? 0, 0)
    }

    func testTinyCLIPVisionSmall() throws { _ = try GoldenCase.load("tinyclip_vit39m16_vision_small").checkOptimized() }

    func testBERTSmall() throws {
        let (report, _, _) = try GoldenCase.load("bert_small").checkOptimized()
        XCTAssertGreaterThan(report["recognize-gelu"]?.changes ?? 0, 0)
    }
}

final class RealModelOptimizationTests: XCTestCase {
    override func setUpWithError() throws {
        try XCTSkipUnless(TestData.isOptimizedBuild,
                          "model-sized test: runs in the optimized build, too slow in debug")
    }

    func testPPOCRv4Detection() throws {
        let (report, _, _) = try GoldenCase.load("ppocrv4_det_page").checkOptimized()
        XCTAssertGreaterThan(report["recognize-hardswish"]?.changes ?? 0, 0)
        XCTAssertGreaterThan(report["fold-batchnorm"]?.changes ?? 0, 0)
    }

    func testPPOCRv4Classification() throws { _ = try GoldenCase.load("ppocrv4_cls_page").checkOptimized() }
    func testPPOCRv4Recognition() throws { _ = try GoldenCase.load("ppocrv4_rec_page").checkOptimized() }
    func testMTCNNONet() throws { _ = try GoldenCase.load("mtcnn_onet_kafka").checkOptimized() }
    func testResNet50() throws {
        let (report, graph, _) = try GoldenCase.load("resnet50").checkOptimized()
        XCTAssertEqual(report["fold-batchnorm"]?.changes, 106, "53 BatchNorms, each a mul and an add")
        XCTAssertEqual(graph.count(.binary), 0)
    }

    func testCLIPViTB32Vision() throws { _ = try GoldenCase.load("clip_vitb32_vision").checkOptimized() }

    func testCLIPViTB32Text() throws {
        let (report, graph, _) = try GoldenCase.load("clip_vitb32_text").checkOptimized()
        XCTAssertEqual(report["recognize-layernorm"]?.changes, 25)
        XCTAssertEqual(graph.count(.reduce), 0)
    }
}

/// What the passes find in the PP-OCRv4 models, without running them (import and rewrite
/// only: fast in debug). Numerics of the same rewrites are checked in RealModelOptimizationTests.
final class RealModelRewriteTests: XCTestCase {
    func testPPOCRv4DetectionRewrites() throws {
        let (report, graph) = try GoldenCase.load("ppocrv4_det_page").optimizeOnly()
        XCTAssertGreaterThan(report["recognize-hardswish"]?.changes ?? 0, 0)
        XCTAssertGreaterThan(report["fold-batchnorm"]?.changes ?? 0, 0)
        XCTAssertGreaterThan(report["fuse-epilogue"]?.changes ?? 0, 0)
        XCTAssertEqual(graph.count(.unary, fn: "hardSwish"), 0, "every hardSwish should be fused into its conv")
    }

    func testPPOCRv4RecognitionRewrites() throws {
        let (report, _) = try GoldenCase.load("ppocrv4_rec_page").optimizeOnly()
        XCTAssertGreaterThan(report["recognize-layernorm"]?.changes ?? 0, 0)
    }

    func testPPOCRv4ClassificationRewrites() throws { _ = try GoldenCase.load("ppocrv4_cls_page").optimizeOnly() }
}
