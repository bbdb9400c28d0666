// `photos index --batch`: the image tower compiled for a batch of 2 (visual/model-b2.efx) stores,
// photo by photo, the vectors that one-at-a-time runs store.

import EFSearch
import EFTestSupport
import Foundation
import XCTest

final class PhotosBatchIndexTests: XCTestCase {
    func testBatchedIndexingStoresTheVectorsOfSingleRuns() throws {
        let (directory, model, photos) = try PhotosCommandTests.scratchWithModel("photos-batch")
        defer { try? FileManager.default.removeItem(at: directory) }
        var vectors: [[String: [Float]]] = []
        for batch in ["1", "2"] {
            let path = directory.appendingPathComponent("lib\(batch).sqlite").path
            let run = try CLIRunner.run(["photos", "index", photos.path, "--library", path, "--model", model.path,
                                         "--batch", batch, "--json"], in: directory)
            XCTAssertEqual(run.status, 0, run.stderr)
            let library = try PhotoLibrary(path: path, create: false)
            let stored = try library.embeddings(model: "ViT-B-32__openai")
            let paths = try library.photos(ids: stored.ids)
            var byPath: [String: [Float]] = [:]
            for (row, id) in stored.ids.enumerated() {
                let vector = Array(stored.vectors[row * stored.dimension ..< (row + 1) * stored.dimension])
                byPath[try XCTUnwrap(paths[id]?.path)] = vector
            }
            vectors.append(byPath)
        }
        XCTAssertTrue(FileManager.default.fileExists(atPath: model.appendingPathComponent("visual/model-b2.efx").path))
        XCTAssertGreaterThan(vectors[0].count, 150)
        XCTAssertEqual(Set(vectors[0].keys), Set(vectors[1].keys))
        var largest: Float = 0
        for (path, single) in vectors[0] {
            let batched = try XCTUnwrap(vectors[1][path])
            largest = max(largest, zip(single, batched).map { abs($0 - $1) }.max() ?? 1)
        }
        XCTAssertLessThanOrEqual(largest, 1e-5, "largest difference over \(vectors[0].count) photos")
    }

    func testABatchOutsideItsRangeIsRefused() throws {
        let run = try CLIRunner.run(["photos", "index", ".", "--library", "x.sqlite", "--batch", "0"],
                                    in: FileManager.default.temporaryDirectory)
        XCTAssertNotEqual(run.status, 0)
        XCTAssertTrue(run.stderr.contains("--batch must be in 1…64"), run.stderr)
    }
}
