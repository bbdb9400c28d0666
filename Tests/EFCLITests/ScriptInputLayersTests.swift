// `edgeflow optimize --model-script` with input layers (the conv kept in float, so outputs compare
// exactly): input_conversion(rgb_to_bgr) alone makes
// the archive take the other channel order, and with normalization it takes uint8 RGB pixels;
// both checked against the original model on inputs prepared by hand; resize makes it take the
// script's size (bilinear and nearest checked against samples worked out by hand). Two swaps and
// a resize of an inner layer are refused with their lines, and nothing is written; nv12_to_rgb
// makes it take an NV12 frame.

import EFArchive
import EFCore
import EFIR
import EFTestSupport
import Foundation
import XCTest

final class ScriptInputLayersTests: XCTestCase {
    private var directory: URL!

    override func setUpWithError() throws { directory = try TestData.temporaryDirectory("edgeflow-input-layers") }
    override func tearDownWithError() throws { try? FileManager.default.removeItem(at: directory) }

    /// A 1×1 conv whose weights tell the three input channels apart.
    private func model() -> Graph {
        let weights = Tensor(shape: [2, 3, 1, 1], scalars: [Float](arrayLiteral: 1, 10, 100, -3, 0.5, 7))
        return Graph(name: "bgr", inputs: ["x"], outputs: ["y"],
                     nodes: [Node(name: "c", .conv(ConvOp()), inputs: ["x", "w"], outputs: ["y"])],
                     types: ["x": TensorType(.float32, [1, 3, 2, 2]), "w": TensorType(.float32, [2, 3, 1, 1]),
                             "y": TensorType(.float32, [1, 2, 2, 2])],
                     weights: ["w": weights])
    }

    /// Runs optimize with `script` (which keeps the conv in float, so the outputs compare exactly)
    /// and a calibration sample of `calibrationShape` (the input the archive will take).
    private func optimized(_ script: String, calibrationShape: [Int] = [1, 3, 2, 2]) throws
        -> (status: Int32, stderr: String, graph: Graph?) {
        _ = try CLIFixtures.writeArchive(model(), named: "m.efa", in: directory)
        try (script + "quantization_param([c], precision_mode=float)\n")
            .write(to: directory.appendingPathComponent("s.alls"), atomically: true, encoding: .utf8)
        let count = calibrationShape.reduce(1, *)
        let sample = Tensor(shape: calibrationShape, scalars: (0..<count).map { Float($0 % 200) })
        try CLIFixtures.writeNPY(sample, named: "calib.npy", in: directory)
        let result = try CLIRunner.run(["optimize", "m.efa", "--calib-set", "calib.npy", "--model-script", "s.alls",
                                        "-o", "out.efa"], in: directory)
        let out = directory.appendingPathComponent("out.efa")
        let graph = FileManager.default.fileExists(atPath: out.path) ? try EdgeflowArchive.read(from: out).graph : nil
        return (result.status, result.stderr, graph)
    }

    /// RGB pixels 0…255, channel c of pixel p = 40·c + 3·p + 1.
    private let pixels: [Float] = (0..<12).map { (i: Int) -> Float in
        let channel = i % 3, pixel = i / 3
        return Float(40 * channel + 3 * pixel + 1)
    }

    /// The NCHW float32 of `pixels` in `order` (indices into R, G, B), normalized by `mean`/`std`.
    private func planes(_ order: [Int], mean: [Float] = [0, 0, 0], std: [Float] = [1, 1, 1]) -> Tensor {
        var values: [Float] = []
        for c in 0..<3 {
            for p in 0..<4 { values.append((pixels[p * 3 + order[c]] - mean[c]) / std[c]) }
        }
        return Tensor(shape: [1, 3, 2, 2], scalars: values)
    }

    func testSwapAloneTakesTheOtherChannelOrder() throws {
        let made = try optimized("input_conversion(rgb_to_bgr)\n")
        XCTAssertEqual(made.status, 0, made.stderr)
        let graph = try XCTUnwrap(made.graph)
        XCTAssertEqual(graph.types["x"], TensorType(.float32, [1, 3, 2, 2]))
        let got = try XCTUnwrap(try ExecutableRoundTrip.run(graph, ["x": planes([0, 1, 2])])["y"])
        let want = try XCTUnwrap(try ExecutableRoundTrip.run(model(), ["x": planes([2, 1, 0])])["y"])
        XCTAssertEqual(got.scalars(as: Float.self), want.scalars(as: Float.self))
    }

    func testSwapWithNormalizationTakesRGBBytes() throws {
        let made = try optimized("normalization([10, 20, 30], [2, 4, 8])\ninput_conversion(rgb_to_bgr)\n",
                                 calibrationShape: [1, 2, 2, 3])
        XCTAssertEqual(made.status, 0, made.stderr)
        let graph = try XCTUnwrap(made.graph)
        XCTAssertEqual(graph.types["x"], TensorType(.uint8, [1, 2, 2, 3]))
        let bytes = Tensor(shape: [1, 2, 2, 3], scalars: pixels.map { UInt8($0) })
        let got = try XCTUnwrap(try ExecutableRoundTrip.run(graph, ["x": bytes])["y"]).scalars(as: Float.self)
        // The model sees B, G, R, each normalized by the script's mean and std (model order).
        let want = try XCTUnwrap(try ExecutableRoundTrip.run(model(), ["x": planes([2, 1, 0], mean: [10, 20, 30],
                                                                                    std: [2, 4, 8])])["y"])
        for (g, w) in zip(got, want.scalars(as: Float.self)) { XCTAssertEqual(g, w, accuracy: 1e-3 * max(1, abs(w))) }
    }

    /// nv12_to_rgb with normalization: the archive takes the NV12 frame's bytes, uint8 [1, 3, 2]
    /// for the 2 × 2 model (EFTransforms' InputColorConversionTests check the colours against
    /// OpenCV), and a mid-grey frame (Y 126, U = V = 128) reaches the model as grey 128.
    func testNV12WithNormalizationTakesTheFrame() throws {
        let made = try optimized("normalization([0, 0, 0], [1, 1, 1])\ninput_conversion(nv12_to_rgb)\n",
                                 calibrationShape: [1, 3, 2])
        XCTAssertEqual(made.status, 0, made.stderr)
        let graph = try XCTUnwrap(made.graph)
        XCTAssertEqual(graph.types["x"], TensorType(.uint8, [1, 3, 2]))
        let frame = Tensor(shape: [1, 3, 2], scalars: [UInt8](arrayLiteral: 126, 126, 126, 126, 128, 128))
        let got = try XCTUnwrap(try ExecutableRoundTrip.run(graph, ["x": frame])["y"]).scalars(as: Float.self)
        // 1.164 · (126 − 16) = 128.04 in every channel (mean 0, std 1: unchanged), through the 1×1 conv.
        let grey = Tensor(shape: [1, 3, 2, 2], scalars: [Float](repeating: 128.04, count: 12))
        let want = try XCTUnwrap(try ExecutableRoundTrip.run(model(), ["x": grey])["y"]).scalars(as: Float.self)
        for (g, w) in zip(got, want) { XCTAssertEqual(g, w, accuracy: 1e-3 * max(1, abs(w))) }
    }

    func testTwoSwapsAreRefusedWithTheirLines() throws {
        let made = try optimized("input_conversion(rgb_to_bgr)\n\ninput_conversion(bgr_to_rgb)\n")
        XCTAssertEqual(made.status, 64, made.stderr)
        XCTAssertTrue(made.stderr.contains("one input_conversion") && made.stderr.contains("line 1, 3"), made.stderr)
        XCTAssertFalse(FileManager.default.fileExists(atPath: directory.appendingPathComponent("out.efa").path))
        XCTAssertNil(made.graph)
    }

    /// A 4 × 6 input resized to the model's 2 × 2: half-pixel bilinear samples rows 2i + 0.5 and
    /// column 3j + 1 (the mean of two pixels); nearest (asymmetric, floor) takes row 2i, column 3j.
    func testResizeTakesTheScriptSize() throws {
        let big = Tensor(shape: [1, 3, 4, 6], scalars: (0..<72).map { Float(($0 * 29) % 71) })
        let values = big.scalars(as: Float.self)
        func pixel(_ c: Int, _ y: Int, _ x: Int) -> Float { values[(c * 4 + y) * 6 + x] }
        for (method, sample) in [("bilinear", { (c: Int, i: Int, j: Int) -> Float in
                                     (pixel(c, 2 * i, 3 * j + 1) + pixel(c, 2 * i + 1, 3 * j + 1)) / 2 }),
                                 ("nearest_neighbor", { (c: Int, i: Int, j: Int) -> Float in
                                     pixel(c, 2 * i, 3 * j) })] {
            let made = try optimized("resize(resize_shapes=[4, 6], resize_method=\(method))\n",
                                     calibrationShape: [1, 3, 4, 6])
            XCTAssertEqual(made.status, 0, made.stderr)
            let graph = try XCTUnwrap(made.graph)
            XCTAssertEqual(graph.types["x"], TensorType(.float32, [1, 3, 4, 6]))
            var small: [Float] = []
            for c in 0..<3 {
                for i in 0..<2 { for j in 0..<2 { small.append(sample(c, i, j)) } }
            }
            let got = try XCTUnwrap(try ExecutableRoundTrip.run(graph, ["x": big])["y"]).scalars(as: Float.self)
            let want = try XCTUnwrap(try ExecutableRoundTrip.run(model(), ["x": Tensor(shape: [1, 3, 2, 2],
                                                                                        scalars: small)])["y"])
            for (g, w) in zip(got, want.scalars(as: Float.self)) {
                XCTAssertEqual(g, w, accuracy: 1e-4 * max(1, abs(w)), method)
            }
        }
    }

    func testResizeOfAnInnerLayerIsRefused() throws {
        let made = try optimized("resize(c, resize_shapes=[4, 4])\n")
        XCTAssertEqual(made.status, 64, made.stderr)
        XCTAssertTrue(made.stderr.contains("resizes a single-input model's input") && made.stderr.contains("line 1"),
                      made.stderr)
        XCTAssertNil(made.graph)
    }
}
