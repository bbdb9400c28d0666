// CLIP image requests batched across requests: the generated ViT-B-32 image tower (whose
// PyTorch-style export fixes its Reshape targets at batch 1) is compiled a second time for a batch
// of 2 and agrees with single runs; concurrent `/predict` requests share runs of it and get the
// embeddings they get one at a time.

import EFCLI
import EFImmichML
import EFMedia
import EFTestSupport
import Foundation
import Synchronization
import XCTest

final class ImmichCLIPBatchTests: XCTestCase {
    private var root: URL!

    override func setUpWithError() throws {
        root = try ImmichModelsFixture.make("immich-clip-batch")
    }

    override func tearDownWithError() throws {
        if let root { try? FileManager.default.removeItem(at: root) }
    }

    private func photos(_ count: Int) throws -> [Data] {
        let folder = try XCTUnwrap(TestData.fetchedFile("photos/library-200/2016/2016-04-01 Zoo"))
        let names = try FileManager.default.contentsOfDirectory(atPath: folder.path).filter { $0.hasSuffix(".jpg") }
        XCTAssertGreaterThanOrEqual(names.count, count)
        return try names.sorted().prefix(count).map { try Data(contentsOf: folder.appendingPathComponent($0)) }
    }

    func testTheImageTowerRunsInBatchesThatAgreeWithSingleRuns() throws {
        let notes = Mutex<[String]>([])
        let folders = ImmichModelFolders(root: root, clipBatchSize: 2) { line in notes.withLock { $0.append(line) } }
        let batched = try folders.clip("ViT-B-32__openai")
        XCTAssertEqual(batched.visualRuns.batchSize, 2, notes.withLock { $0.joined(separator: "\n") })
        XCTAssertTrue(FileManager.default.fileExists(
            atPath: root.appendingPathComponent("ViT-B-32__openai/visual/model-b2.efx").path))
        let single = try ImmichModelFolders(root: root, clipBatchSize: 1) { _ in }.clip("ViT-B-32__openai")
        XCTAssertEqual(single.visualRuns.batchSize, 1)
        let tensors = try photos(3).map { try single.imageTensor(ImageDecoder.decode(bytes: [UInt8]($0)).image) }
        let together = try batched.embed(imageTensors: tensors)  // one batch of 2, then one alone
        XCTAssertEqual(together.count, 3)
        for (index, tensor) in tensors.enumerated() {
            let alone = try single.embed(imageTensor: tensor)
            XCTAssertEqual(alone.count, together[index].count)
            let difference = zip(alone, together[index]).map { abs($0 - $1) }.max() ?? 1
            XCTAssertLessThanOrEqual(difference, 1e-5, "image \(index)")
        }
        XCTAssertNotEqual(together[0], together[1], "distinct photos, distinct rows")
    }

    func testConcurrentRequestsShareRunsAndGetTheirOwnEmbeddings() throws {
        let entries = #"{"clip":{"visual":{"modelName":"ViT-B-32__openai"}}}"#
        let images = try photos(4)
        @Sendable func answer(_ service: ImmichMLService, _ photo: Data) throws -> [Double] {
            let body = NodeFormData.body(entries: entries, image: photo)
            let request = try PredictRequest(parts: try MultipartForm.parts(of: body, boundary: NodeFormData.boundary))
            let json = try JSONSerialization.jsonObject(with: try service.predict(request)) as? [String: Any]
            let text = try XCTUnwrap(json?["clip"] as? String)
            return try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [Double])
        }
        let single = ImmichMLService(models: ImmichModelFolders(root: root, clipBatchSize: 1) { _ in })
        let expected = try images.map { try answer(single, $0) }

        let service = ImmichMLService(models: ImmichModelFolders(root: root, clipBatchSize: 2) { _ in })
        _ = try answer(service, images[0])  // compiles the batch executable before the clock matters
        let start = DispatchSemaphore(value: 0)
        let group = DispatchGroup()
        let answers = Mutex<[Int: [Double]]>([:])
        for index in 0..<8 {
            DispatchQueue.global().async(group: group) {
                start.wait()
                let got = try? answer(service, images[index % 4])
                answers.withLock { $0[index] = got }
            }
        }
        for _ in 0..<8 { start.signal() }
        XCTAssertEqual(group.wait(timeout: .now() + 120), .success)
        for index in 0..<8 {
            let got = try XCTUnwrap(answers.withLock { $0[index] }, "request \(index)")
            let want = expected[index % 4]
            XCTAssertEqual(got.count, want.count)
            XCTAssertLessThanOrEqual(zip(got, want).map { abs($0 - $1) }.max() ?? 1, 1e-5, "request \(index)")
        }
        let batcher = try XCTUnwrap(service.clipBatcher("ViT-B-32__openai"))
        let runs = batcher.runSizes
        XCTAssertEqual(runs.reduce(0, +), 9, "every image once: \(runs)")
        XCTAssertTrue(runs.allSatisfy { $0 <= 2 }, "at most the batch per run: \(runs)")
        XCTAssertTrue(runs.contains(2), "eight requests sent together share runs: \(runs)")
        XCTAssertEqual(batcher.announcedItems, 0)

        // A request whose image cannot be decoded takes its announcement back (no run waits for it).
        let body = NodeFormData.body(entries: entries, image: Data("not an image".utf8))
        let request = try PredictRequest(parts: try MultipartForm.parts(of: body, boundary: NodeFormData.boundary))
        XCTAssertThrowsError(try service.predict(request)) { XCTAssertEqual(($0 as? PredictError)?.status, 400) }
        XCTAssertEqual(batcher.announcedItems, 0)
        XCTAssertEqual(batcher.runSizes.count, runs.count, "no run for the failed request")
    }
}
