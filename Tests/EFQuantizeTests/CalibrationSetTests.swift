// CalibrationSet.load on numpy calibration sets written into a temporary folder: .npy and .npz
// layouts, dtype conversions, sorted folder order, the sample limit, the memory budget, and every
// refusal (wrong shape, dtype or channel count, bad .npz keys, damaged files, empty sets).
// Photo sets are in CalibrationPhotoTests.swift.

import EFArchive
import EFCore
import EFQuantize
import EFTestSupport
import Foundation
import XCTest

final class CalibrationSetTests: XCTestCase {
    private var folder: URL!

    override func setUpWithError() throws {
        folder = try TestData.temporaryDirectory("calibration-arrays")
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(at: folder)
    }

    private let image = CalibrationInput(name: "x", dtype: .float32, shape: [1, 2, 3])

    /// Writes `tensor` as `.npy` at `name` under the folder (sub-folders made as needed).
    @discardableResult
    private func npy(_ name: String, _ tensor: Tensor) throws -> URL {
        let url = folder.appendingPathComponent(name)
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try NPY.encode(tensor).write(to: url)
        return url
    }

    @discardableResult
    private func npz(_ name: String, _ arrays: [(key: String, tensor: Tensor)]) throws -> URL {
        let url = folder.appendingPathComponent(name)
        try NPZ.encode(arrays).write(to: url)
        return url
    }

    /// `count` consecutive floats from `start`.
    private func floats(_ shape: [Int], from start: Float = 0) -> Tensor {
        Tensor(shape: shape, scalars: (0..<shape.reduce(1, *)).map { start + Float($0) })
    }

    private func load(_ url: URL, _ inputs: [CalibrationInput]? = nil, limit: Int = 64,
                      budget: Int = 1 << 20) throws -> CalibrationSet {
        try CalibrationSet.load(from: url, inputs: inputs ?? [image], recipe: nil, limit: limit,
                                budgetBytes: budget, progress: nil)
    }

    /// Asserts that `body` throws an EdgeflowError of `kind` whose text holds every one of `parts`.
    private func assertRefused(_ parts: [String], kind: EdgeflowError.Kind = .invalidInput,
                               file: StaticString = #filePath, line: UInt = #line, _ body: () throws -> Void) {
        XCTAssertThrowsError(try body(), file: file, line: line) { error in
            guard let error = error as? EdgeflowError else {
                return XCTFail("not an EdgeflowError: \(error)", file: file, line: line)
            }
            XCTAssertEqual(error.kind, kind, "\(error)", file: file, line: line)
            for part in parts {
                XCTAssertTrue(error.description.contains(part), "'\(part)' missing from: \(error)",
                              file: file, line: line)
            }
        }
    }

    // MARK: .npy layouts

    func testNPYOfTheInputShapeIsOneSample() throws {
        let set = try load(try npy("one.npy", floats([1, 2, 3])))
        XCTAssertEqual(set.samples.count, 1)
        XCTAssertTrue(try XCTUnwrap(set.samples[0]["x"]).isBitwiseEqual(to: floats([1, 2, 3])))
        XCTAssertTrue(set.skipped.isEmpty)
    }

    func testNPYStackedWithoutTheBatchAxisIsNSamples() throws {
        let set = try load(try npy("four.npy", floats([4, 2, 3])))
        XCTAssertEqual(set.samples.count, 4)
        for (i, sample) in set.samples.enumerated() {
            XCTAssertTrue(try XCTUnwrap(sample["x"]).isBitwiseEqual(to: floats([1, 2, 3], from: Float(6 * i))))
        }
    }

    func testNPYStackedWithTheBatchAxisIsNSamples() throws {
        let set = try load(try npy("three.npy", floats([3, 1, 2, 3])))
        XCTAssertEqual(set.samples.count, 3)
        XCTAssertTrue(try XCTUnwrap(set.samples[2]["x"]).isBitwiseEqual(to: floats([1, 2, 3], from: 12)))
    }

    func testFloat16IsExactAndFloat64IsRoundedToFloat32() throws {
        let halves = Tensor(shape: [1, 2, 3], scalars: [Float16(0.5), -1.25, 3, 0.099975586, 65504, 0])
        let fromHalf = try XCTUnwrap(try load(try npy("h.npy", halves)).samples.first?["x"])
        XCTAssertEqual(fromHalf.dtype, .float32)
        XCTAssertEqual(fromHalf.scalars(as: Float.self), [0.5, -1.25, 3, Float(Float16(0.099975586)), 65504, 0])

        let doubles = Tensor(shape: [1, 2, 3], scalars: [0.1, -2.5, 1e-30, 3.0000001, 1e38, 0])
        let fromDouble = try XCTUnwrap(try load(try npy("d.npy", doubles)).samples.first?["x"])
        XCTAssertEqual(fromDouble.scalars(as: Float.self), [Float(0.1), -2.5, Float(1e-30), Float(3.0000001), 1e38, 0])
    }

    func testFloat64BeyondFloat32IsRefused() throws {
        let url = try npy("big.npy", Tensor(shape: [1, 2, 3], scalars: [0, 0, 0, 0, 1e39, 0]))
        assertRefused(["big.npy", "sample 0 of input 'x'", "element 4", "float32"]) { _ = try load(url) }
    }

    func testNonFiniteValuesAreRefused() throws {
        let values = [Float](repeating: 1, count: 7) + [.nan, 0, 0, 0, 0]
        let url = try npy("nan.npy", Tensor(shape: [2, 2, 3], scalars: values))
        assertRefused(["nan.npy", "sample 1 of input 'x'", "element 1 is nan", "finite"]) { _ = try load(url) }
    }

    func testUInt8InputTakesWholeNumbersOfAnyNumericDType() throws {
        let bytes = CalibrationInput(name: "b", dtype: .uint8, shape: [1, 3])
        let fromFloat = try load(try npy("f.npy", Tensor(shape: [2, 3], scalars: [Float(0), 255, 7, 1, 2, 3])), [bytes])
        XCTAssertEqual(fromFloat.samples.map { $0["b"]?.scalars(as: UInt8.self) }, [[0, 255, 7], [1, 2, 3]])
        let fromInt = try load(try npy("i.npy", Tensor(shape: [1, 3], scalars: [Int64(9), 8, 200])), [bytes])
        XCTAssertEqual(fromInt.samples.first?["b"]?.dtype, .uint8)
        XCTAssertEqual(fromInt.samples.first?["b"]?.scalars(as: UInt8.self), [9, 8, 200])

        let half = try npy("half.npy", Tensor(shape: [1, 3], scalars: [Float(1), 2.5, 3]))
        assertRefused(["half.npy", "element 1 is 2.5", "0…255"]) { _ = try load(half, [bytes]) }
        let over = try npy("over.npy", Tensor(shape: [1, 3], scalars: [Int32(1), 2, 256]))
        assertRefused(["over.npy", "element 2 is 256.0"]) { _ = try load(over, [bytes]) }
    }

    func testOtherDTypesAreRefused() throws {
        let url = try npy("ints.npy", Tensor(shape: [1, 2, 3], scalars: [Int64](repeating: 1, count: 6)))
        assertRefused(["ints.npy", "'x' float32[1, 2, 3]", "is int64", "astype(numpy.float32)"]) { _ = try load(url) }
    }

    func testWrongShapeNamesTheInputAndBothShapes() throws {
        let url = try npy("wrong.npy", floats([2, 5]))
        assertRefused(["wrong.npy", "'x' float32[1, 2, 3]", "[2, 5]", "expected [1, 2, 3] (one sample) or [N, 2, 3]"]) {
            _ = try load(url)
        }
    }

    func testWrongChannelCountSaysWhatTheModelTakes() throws {
        let nchw = CalibrationInput(name: "img", dtype: .float32, shape: [1, 3, 2, 2])
        let url = try npy("rgba.npy", floats([5, 4, 2, 2]))
        assertRefused(["rgba.npy", "the model takes 3 channels, the array has 4"]) { _ = try load(url, [nchw]) }
    }

    func testZeroSamplesAreRefused() throws {
        let url = try npy("empty.npy", floats([0, 2, 3]))
        assertRefused(["empty.npy", "zero samples"]) { _ = try load(url) }
    }

    // MARK: .npz

    func testNPZFeedsEveryInputWithTheSameSampleCount() throws {
        let ids = CalibrationInput(name: "onnx::ids", dtype: .uint8, shape: [1, 3])
        let url = try npz("pair.npz", [("x", floats([2, 2, 3])), ("onnx::ids", Tensor(shape: [2, 1, 3],
                                                                                       scalars: [UInt8](1...6)))])
        let set = try load(url, [image, ids])
        XCTAssertEqual(set.samples.count, 2)
        XCTAssertTrue(try XCTUnwrap(set.samples[1]["x"]).isBitwiseEqual(to: floats([1, 2, 3], from: 6)))
        XCTAssertEqual(set.samples[1]["onnx::ids"]?.scalars(as: UInt8.self), [4, 5, 6])
        XCTAssertEqual(set.samples[1]["onnx::ids"]?.shape, [1, 3])
    }

    func testNPZKeysMustBeTheInputNames() throws {
        let y = CalibrationInput(name: "y", dtype: .float32, shape: [2])
        let url = try npz("keys.npz", [("x", floats([1, 2, 3])), ("z", floats([2])), ("w", floats([2]))])
        assertRefused(["keys.npz", "missing 'y'", "unknown keys 'w', 'z'", "numpy.savez"]) {
            _ = try load(url, [image, y])
        }
    }

    func testNPZSampleCountsMustAgree() throws {
        let y = CalibrationInput(name: "y", dtype: .float32, shape: [1, 2])
        let url = try npz("counts.npz", [("x", floats([3, 2, 3])), ("y", floats([2, 2]))])
        assertRefused(["counts.npz", "different numbers of samples", "'x' 3", "'y' 2"]) {
            _ = try load(url, [image, y])
        }
    }

    func testNPYForAMultiInputModelIsRefused() throws {
        let y = CalibrationInput(name: "y", dtype: .float32, shape: [2])
        let url = try npy("one.npy", floats([1, 2, 3]))
        assertRefused(["one.npy", "2 inputs", "'x', 'y'", ".npz"]) { _ = try load(url, [image, y]) }
    }

    func testDamagedNPYAndNPZAreErrors() throws {
        let whole = NPY.encode(floats([4, 2, 3]))
        let cut = folder.appendingPathComponent("cut.npy")
        try whole.prefix(whole.count - 5).write(to: cut)
        assertRefused(["cut.npy"]) { _ = try load(cut) }

        let zip = try NPZ.encode([("x", floats([1, 2, 3]))])
        let broken = folder.appendingPathComponent("broken.npz")
        try zip.prefix(zip.count - 10).write(to: broken)
        assertRefused(["broken.npz"]) { _ = try load(broken) }
    }

    // MARK: folders, order, limit, budget

    func testFolderIsReadInSortedOrderRecursivelyIgnoringHiddenFiles() throws {
        try npy("b.npy", floats([1, 2, 3], from: 200))
        try npz("a.npz", [("x", floats([1, 2, 3], from: 100))])
        try npy("sub/c.npy", floats([2, 2, 3], from: 300))
        try npy(".hidden.npy", floats([9, 9]))  // would be a wrong shape: ignored
        try Data("labels".utf8).write(to: folder.appendingPathComponent("notes.txt"))
        var progress: [[Int]] = []
        let set = try CalibrationSet.load(from: folder, inputs: [image], recipe: nil, budgetBytes: 1 << 20,
                                          progress: { progress.append([$0, $1]) })
        let firsts = set.samples.map { $0["x"]?.scalars(as: Float.self).first }
        XCTAssertEqual(firsts, [100, 200, 300, 306])
        XCTAssertEqual(set.skipped.map(\.file), [folder.appendingPathComponent("notes.txt").path])
        XCTAssertTrue(set.skipped[0].reason.contains("not a photo or an .npy/.npz array"), set.skipped[0].reason)
        XCTAssertEqual(progress, [[1, 3], [2, 3], [3, 3]])
        XCTAssertTrue(set.source.contains("4 samples from 3 of 3 files"), set.source)
    }

    func testLimitTakesTheFirstSamplesInOrder() throws {
        try npy("a.npy", floats([3, 2, 3]))
        try npy("b.npy", floats([3, 2, 3], from: 1000))
        var calls = 0
        let set = try CalibrationSet.load(from: folder, inputs: [image], recipe: nil, limit: 4, budgetBytes: 1 << 20,
                                          progress: { _, _ in calls += 1 })
        XCTAssertEqual(set.samples.map { $0["x"]?.scalars(as: Float.self).first }, [0, 6, 12, 1000])
        XCTAssertEqual(calls, 2)
        let one = try load(folder, limit: 1)
        XCTAssertEqual(one.samples.count, 1)
    }

    func testBudgetIsCheckedBeforeTheSamplesAreMade() throws {
        // float16 data: 10 samples × 6 × 2 = 120 bytes in the file, 240 bytes as float32 samples.
        let url = try npy("h.npy", Tensor(shape: [10, 2, 3], scalars: [Float16](repeating: 1, count: 60)))
        assertRefused(["h.npy", "10 calibration samples of 24 bytes", "calibration memory budget of 200 bytes",
                       "limit"]) { _ = try load(url, budget: 200) }
        XCTAssertEqual(try load(url, limit: 8, budget: 200).samples.count, 8)
        // A file larger than the budget is not read at all.
        assertRefused(["h.npy", "over the calibration memory left budget of 100 bytes", "split it"]) {
            _ = try load(url, budget: 100)
        }
    }

    func testEmptyAndUnusableFoldersAreRefused() throws {
        try Data("x".utf8).write(to: folder.appendingPathComponent(".DS_Store"))
        assertRefused(["folder is empty"]) { _ = try load(folder) }
        try Data("a,b".utf8).write(to: folder.appendingPathComponent("table.csv"))
        try Data().write(to: folder.appendingPathComponent("zero.npy"))
        assertRefused(["no photo or array file", "table.csv: unrecognized file", "zero.npy: an empty file"]) {
            _ = try load(folder)
        }
    }

    func testBadArgumentsAndMissingPaths() throws {
        let url = try npy("one.npy", floats([1, 2, 3]))
        assertRefused(["at least 1"], kind: .invalidArgument) { _ = try load(url, limit: 0) }
        assertRefused(["no inputs"], kind: .invalidArgument) { _ = try load(url, []) }
        assertRefused(["repeat"], kind: .invalidArgument) { _ = try load(url, [image, image]) }
        assertRefused(["nowhere", "no such file"], kind: .io) { _ = try load(folder.appendingPathComponent("nowhere")) }
    }
}
