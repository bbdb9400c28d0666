// TextReader end to end on tiny stand-in models (a 1×1-conv "detector" that fires on dark
// pixels, a strided-conv CTC "recognizer" with a one-character dictionary in its metadata),
// compiled per input shape through ShapedModels: bad inputs (tiny, below 32 pixels, blank, huge
// aspect ratios) and the batching contract. The real PP-OCRv5 goldens are in EFCLITests.

import EFCore
import EFIR
import EFMedia
import EFTestSupport
import EFVision
import EdgeflowRuntime
import Foundation
import XCTest

final class TextReaderTests: XCTestCase {
    /// Dark pixels (normalized ≈ 0) → ≈ 0.95; white (≈ 2) → ≈ 0.
    static func detector(_ shape: [Int]) throws -> EdgeflowModel {
        var b = TestGraphBuilder()
        let x = b.input("x", shape)
        let w = b.weight("w", Tensor(shape: [1, 3, 1, 1], scalars: [Float](repeating: -2, count: 3)))
        let bias = b.weight("b", Tensor(shape: [1], scalars: [Float(3)]))
        b.output(try b.unary("sigmoid", try b.node(.conv, [x, w, bias])))
        return try ExecutableRoundTrip.load(b.graph)
    }

    /// [1, 3, 48, W] → [1, W/8, 3] softmax (blank, "x", " ").
    static func recognizer(_ shape: [Int]) throws -> EdgeflowModel {
        var b = TestGraphBuilder()
        let x = b.input("x", shape)
        let w = b.weight("w", shape: [3, 3, 48, 8], seed: 7, range: -0.01...0.01)
        let conv = try b.node(.conv, [x, w], ["strides": .ints([48, 8])])
        let steps = shape[3] / 8
        let flat = try b.node(.reshape, [conv], ["shape": .ints([1, 3, steps])])
        let turned = try b.node(.transpose, [flat], ["perm": .ints([0, 2, 1])])
        b.output(try b.node(.softmax, [turned], ["axis": .int(2)]))
        return try ExecutableRoundTrip.load(b.graph, metadata: ["character": "x"])
    }

    private func reader(batchSize: Int = 6) throws -> TextReader {
        try TextReader(detection: ShapedModels(capacity: 2) { try Self.detector($0) },
                       recognition: ShapedModels(capacity: 2) { try Self.recognizer($0) }, batchSize: batchSize)
    }

    /// White with black bars at the given (x, y, w, h).
    private func page(width: Int, height: Int, bars: [(Int, Int, Int, Int)]) throws -> PixelImage {
        var pixels = [UInt8](repeating: 255, count: width * height * 3)
        for (bx, by, bw, bh) in bars {
            for y in by..<(by + bh) {
                for x in bx..<(bx + bw) { for c in 0..<3 { pixels[(y * width + x) * 3 + c] = 0 } }
            }
        }
        return try PixelImage(width: width, height: height, channels: 3, pixels: pixels)
    }

    func testImagesUnder32PixelsAndBlankImagesHoldNoText() throws {
        let reader = try reader()
        XCTAssertEqual(try reader.readAll(try page(width: 1, height: 1, bars: [])), [])
        XCTAssertEqual(try reader.readAll(try page(width: 31, height: 400, bars: [(5, 5, 20, 300)])), [])
        XCTAssertEqual(try reader.readAll(try page(width: 400, height: 31, bars: [(5, 5, 300, 20)])), [])
        XCTAssertEqual(try reader.readAll(try page(width: 64, height: 64, bars: [])), [])
        XCTAssertEqual(reader.detection.loadedShapes, [[1, 3, 64, 64]], "the < 32 pixel images never ran")
    }

    func testBarsAreFoundReadAndOrdered() throws {
        let reader = try reader()
        let lines = try reader.readAll(try page(width: 160, height: 96, bars: [(90, 12, 50, 10), (10, 14, 60, 10),
                                                                                (20, 60, 100, 12)]))
        XCTAssertEqual(lines.count, 3)
        XCTAssertLessThan(lines[0].x, lines[1].x, "same line (y within 10 pixels): left first")
        XCTAssertLessThan(lines[1].y, lines[2].y)
        for line in lines {
            XCTAssertEqual(line.corners.count, 4)
            XCTAssertTrue(line.text.allSatisfy { $0 == "x" || $0 == " " }, line.text)
            XCTAssertGreaterThan(line.boxScore, 0.5)
        }
        XCTAssertEqual(try reader.read(try page(width: 160, height: 96, bars: [(10, 14, 60, 10)]), minTextScore: 1),
                       [], "no score is above 1")
    }

    func testHugeAspectRatiosRun() throws {
        let reader = try reader()
        let wide = try reader.readAll(try page(width: 3000, height: 40, bars: [(10, 12, 2900, 14)]))
        XCTAssertEqual(wide.count, 1)
        let crops = [try page(width: 4000, height: 10, bars: [])]
        let batches = try RecognitionBatches.make(crops, batchSize: 6, maxWidth: TextReader.maxRecognitionWidth)
        XCTAssertEqual(batches.map(\.width), [TextReader.maxRecognitionWidth], "a 400:1 line is squeezed")
        let tall = try reader.readAll(try page(width: 40, height: 2000, bars: [(12, 10, 14, 1900)]))
        XCTAssertEqual(tall.count, 1)
    }

    func testBatchesFollowAspectRatioAndPadWithZero() throws {
        let crops = try [(100, 10), (30, 10), (480, 48), (20, 10), (96, 48)].map {
            try page(width: $0.0, height: $0.1, bars: [])
        }
        let batches = try RecognitionBatches.make(crops, batchSize: 2, maxWidth: 3200)
        XCTAssertEqual(batches.map(\.indices), [[3, 4], [1, 0], [2]], "ratios 2, 2, 3, 10, 10 (stable)")
        XCTAssertEqual(batches.map(\.width), [320, 480, 480], "int(48 · max(320/48, ratios))")
        let row = batches[0].rows[0]
        XCTAssertEqual(row.shape, [1, 3, 48, 320])
        let values = row.doubleValues()
        XCTAssertEqual(values[0], 1, "white → (255/255 − 0.5)/0.5")
        XCTAssertEqual(values[96], 0, "right of the 96-pixel-wide crop: zero padding")
        XCTAssertThrowsError(try RecognitionBatches.make(crops, batchSize: 0, maxWidth: 3200))
        XCTAssertThrowsError(try reader(batchSize: 0))
    }

    func testShapedModelsKeepTheMostRecentlyUsed() throws {
        let loads = Counter()
        let models = ShapedModels(capacity: 2) { shape in
            loads.add()
            return try Self.detector(shape)
        }
        for shape in [[1, 3, 32, 32], [1, 3, 32, 64], [1, 3, 32, 32], [1, 3, 64, 32], [1, 3, 32, 64]] {
            XCTAssertEqual(try models.model(for: shape).inputs[0].shape, shape)
        }
        XCTAssertEqual(loads.value, 4, "32×64 was dropped for 64×32, then loaded again")
        XCTAssertEqual(models.loadedShapes, [[1, 3, 64, 32], [1, 3, 32, 64]])
        let wrong = ShapedModels { _ in try Self.detector([1, 3, 32, 32]) }
        XCTAssertThrowsError(try wrong.model(for: [1, 3, 64, 64]))
    }

    func testRecognizerWithoutDictionaryIsRefused() {
        let bare = ShapedModels { shape in try Self.detector(shape) }
        XCTAssertThrowsError(try TextReader(detection: bare, recognition: bare))
    }

    /// [1, 3, 48, 192] → a conv over the whole input → [1, 2, 1, 1], then [1, 2] with `flatten`.
    static func directionClassifier(flatten: Bool) throws -> EdgeflowModel {
        var b = TestGraphBuilder()
        let x = b.input("x", TextDirectionClassifier.inputShape)
        let w = b.weight("w", shape: [2, 3, 48, 192], seed: 3, range: -0.001...0.001)
        var y = try b.node(.conv, [x, w])
        if flatten { y = try b.node(.reshape, [y], ["shape": .ints([1, 2])]) }
        b.output(try b.node(.softmax, [y], ["axis": .int(1)]))
        return try ExecutableRoundTrip.load(b.graph)
    }

    func testDirectionClassifierChecksItsModelAndThreshold() throws {
        let good = ShapedModels { _ in try Self.directionClassifier(flatten: true) }
        let classifier = try TextDirectionClassifier(model: good)
        let line = try page(width: 300, height: 40, bars: [(10, 10, 200, 20)])
        let found = try classifier.classify([line, line.rotatedHalfTurn()])
        XCTAssertEqual(found.count, 2)
        XCTAssertTrue(found.allSatisfy { (0.5...1).contains($0.score) })
        XCTAssertEqual(try classifier.classify([]), [])
        XCTAssertThrowsError(try TextDirectionClassifier(model: ShapedModels { _ in
            try Self.directionClassifier(flatten: false)
        })) { error in
            XCTAssertEqual((error as? EdgeflowError)?.kind, .invalidModel, "\(error)")
            XCTAssertTrue("\(error)".contains("not a 0/180 text direction classifier"), "\(error)")
        }
        XCTAssertThrowsError(try TextDirectionClassifier(model: good, threshold: 1.5)) { error in
            XCTAssertEqual((error as? EdgeflowError)?.kind, .invalidArgument, "\(error)")
        }
    }
}

private final class Counter: @unchecked Sendable {
    private let lock = NSLock()
    private var count = 0
    var value: Int { lock.withLock { count } }
    func add() { lock.withLock { count += 1 } }
}
