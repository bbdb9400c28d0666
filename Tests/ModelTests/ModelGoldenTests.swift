// Real and generated models against onnxruntime goldens. Small generated models run in every
// build; full-size ones only in optimized builds (scripts/test.sh), since debug numerics are
// 10–50× slower.

import EFCompiler
import EFCore
import EFIR
import EFVision
import EFTestSupport
import XCTest

final class SmallModelGoldenTests: XCTestCase {
    func testCLIPVisionSmall() throws { try GoldenRunner.check(GoldenCase.load("clip_vitb32_vision_small")) }
    func testCLIPTextSmall() throws { try GoldenRunner.check(GoldenCase.load("clip_vitb32_text_small")) }
    func testTinyCLIPVisionSmall() throws { try GoldenRunner.check(GoldenCase.load("tinyclip_vit39m16_vision_small")) }
    func testResNetSmall() throws { try GoldenRunner.check(GoldenCase.load("resnet50_small")) }
    func testBERTSmall() throws { try GoldenRunner.check(GoldenCase.load("bert_small")) }
    /// Silero VAD: one If on the sample rate (frozen, so one branch is imported), nested Ifs on
    /// shapes, two LSTMs unrolled; the recurrent state output checks every step.
    func testSileroVAD16kHz() throws { try GoldenRunner.check(GoldenCase.load("silero_vad_16k")) }
    func testSileroVAD8kHz() throws { try GoldenRunner.check(GoldenCase.load("silero_vad_8k")) }
    /// Generated If (both values of its condition), Loop, Scan and LSTMs (bidirectional; reverse batch-first).
    /// The If's condition `flag` stays a run-time input: one program, both branches, the condition picks.
    /// Each branch's nodes run only when taken: the guards survive the archive and the optimizer.
    func testNestedIfThen() throws {
        let outcome = try GoldenRunner.check(GoldenCase.load("if_nested_then"))
        XCTAssert(outcome.graph.inputs.contains("flag"), "flag was frozen: \(outcome.graph.inputs)")
        try assertBranchesAreGuarded(outcome.graph)
    }

    func testNestedIfElse() throws {
        let outcome = try GoldenRunner.check(GoldenCase.load("if_nested_else"))
        XCTAssert(outcome.graph.inputs.contains("flag"), "flag was frozen: \(outcome.graph.inputs)")
        try assertBranchesAreGuarded(outcome.graph)
    }

    private func assertBranchesAreGuarded(_ graph: Graph) throws {
        let guarded = graph.nodes.filter { !$0.runsWhen.isEmpty }
        XCTAssertEqual(Set(guarded.flatMap(\.runsWhen).map(\.whenTrue)), [true, false], "both branches guarded")
        let steps = try ModelPipeline.compile(graph).plan.steps
        XCTAssertFalse(steps.filter { !$0.runsWhen.isEmpty }.isEmpty, "the compiled steps keep guards")
        print("if_nested: \(guarded.count) of \(graph.nodes.count) nodes guarded, "
              + "\(steps.filter { !$0.runsWhen.isEmpty }.count) of \(steps.count) steps")
    }
    func testLoopWithCarriedStateAndScanOutput() throws { try GoldenRunner.check(GoldenCase.load("loop_carried")) }
    func testScanOverTwoInputsBothDirections() throws { try GoldenRunner.check(GoldenCase.load("scan_two_inputs")) }
    /// Loops too long to unroll run as one core `loop` node (its body with the reference kernels),
    /// through the archive and the compiled executable.
    func testLongLoopRunsAsARuntimeLoop() throws {
        try assertRuntimeLoop(GoldenRunner.check(GoldenCase.load("loop_long")))
    }
    func testLoopWithAComputedConditionStopsAtRunTime() throws {
        try assertRuntimeLoop(GoldenRunner.check(GoldenCase.load("loop_while")))
    }
    func testLongScanRunsAsARuntimeLoop() throws {
        try assertRuntimeLoop(GoldenRunner.check(GoldenCase.load("scan_long")))
    }
    /// Recurrent layers over more steps than are unrolled: one runtime loop per direction.
    func testLongBidirectionalLSTMRunsAsRuntimeLoops() throws {
        try assertRuntimeLoop(GoldenRunner.check(GoldenCase.load("lstm_long")), count: 2)
    }
    func testLongReverseGRURunsAsARuntimeLoop() throws {
        try assertRuntimeLoop(GoldenRunner.check(GoldenCase.load("gru_long")))
    }

    private func assertRuntimeLoop(_ outcome: GoldenRunner.Outcome, count: Int = 1) throws {
        XCTAssertEqual(outcome.graph.nodes.filter { $0.op == .loop }.count, count, "runtime loops")
        XCTAssertLessThan(outcome.graph.nodes.count, 40, "not unrolled: \(outcome.graph.nodes.count) nodes")
    }
    func testLSTMBidirectional() throws { try GoldenRunner.check(GoldenCase.load("lstm_bidirectional")) }
    func testLSTMReverseBatchFirst() throws { try GoldenRunner.check(GoldenCase.load("lstm_reverse_layout1")) }
}

final class RealModelGoldenTests: XCTestCase {
    override func setUpWithError() throws {
        try XCTSkipUnless(TestData.isOptimizedBuild,
            "model-sized test: runs in the optimized build (scripts/test.sh), too slow in debug")
    }

    func testPPOCRv4Detection() throws { try GoldenRunner.check(GoldenCase.load("ppocrv4_det_page")) }
    func testPPOCRv4Classification() throws { try GoldenRunner.check(GoldenCase.load("ppocrv4_cls_page")) }
    func testMTCNNPNet() throws { try GoldenRunner.check(GoldenCase.load("mtcnn_pnet_kafka")) }
    func testMTCNNRNet() throws { try GoldenRunner.check(GoldenCase.load("mtcnn_rnet_kafka")) }
    func testMTCNNONet() throws { try GoldenRunner.check(GoldenCase.load("mtcnn_onet_kafka")) }
    func testCLIPViTB32Vision() throws { try GoldenRunner.check(GoldenCase.load("clip_vitb32_vision")) }
    func testCLIPViTB32Text() throws { try GoldenRunner.check(GoldenCase.load("clip_vitb32_text")) }
    func testTinyCLIPViT39M16Vision() throws { try GoldenRunner.check(GoldenCase.load("tinyclip_vit39m16_vision")) }
    func testResNet50() throws { try GoldenRunner.check(GoldenCase.load("resnet50")) }

    /// Recognition logits decoded greedily with the dictionary stored in the model must give
    /// exactly RapidOCR's strings for the text lines it cut from skimage's page.png.
    func testPPOCRv4RecognitionDecodesRapidOCRStrings() throws {
        let golden = try GoldenCase.load("ppocrv4_rec_page")
        let outcome = try GoldenRunner.check(golden)
        let dictionary = try XCTUnwrap(outcome.graph.metadata["character"],
                                       "the rec model's metadata_props 'character' was not carried into the graph")
        let logits = try XCTUnwrap(outcome.outputs["softmax_11.tmp_0"])
        let texts = try CTCDecoder(dictionary: dictionary).decode(logits)
        XCTAssertEqual(texts, try XCTUnwrap(golden.texts))
    }
}
