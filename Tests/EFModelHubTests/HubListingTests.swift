// The hub listing reader and the choice of files, in process: an Immich-shaped listing gives
// exactly the files Edgeflow uses (external weights included, variants left out, config.json
// last; recognition/model.onnx last for an OCR or face repository); unsafe paths, repeated
// paths, bad digests, absurd sizes and oversized documents are refused.

import EFCore
import EFModelHub
import Foundation
import XCTest

final class HubListingTests: XCTestCase {
    private let sha256 = String(repeating: "ab", count: 32)
    private let sha1 = String(repeating: "cd", count: 20)

    private func plain(_ path: String, _ size: Int = 10) -> [String: Any] {
        ["type": "file", "path": path, "size": size, "oid": sha1]
    }

    private func lfs(_ path: String, _ size: Int = 1000) -> [String: Any] {
        ["type": "file", "path": path, "size": size, "oid": sha1, "lfs": ["oid": sha256, "size": size]]
    }

    private func files(_ entries: [[String: Any]]) throws -> [HubFile] {
        try HubListing.files(from: JSONSerialization.data(withJSONObject: entries), source: "test")
    }

    private func select(_ entries: [[String: Any]]) throws -> [HubFile] {
        let listing = try files(entries)
        return try RepositoryLayout.of(listing, source: "test").select(from: listing, source: "test")
    }

    private func assertRefused(_ entries: [[String: Any]], _ message: String, line: UInt = #line) {
        XCTAssertThrowsError(try select(entries), line: line) {
            XCTAssertTrue("\($0)".contains(message), "\($0)", line: line)
        }
    }

    func testAnImmichListingGivesTheFilesEdgeflowUses() throws {
        let listing: [[String: Any]] = [
            plain(".gitattributes"), plain("README.md"), plain("config.json"),
            ["type": "directory", "path": "visual", "size": 0, "oid": sha1],
            lfs("visual/model.onnx"), lfs("visual/model.onnx_data", 5000), plain("visual/preprocess_cfg.json"),
            lfs("visual/fp16/model.armnn"), lfs("visual/rknpu/rk3588/model.rknn"), lfs("visual/fp16/model.onnx"),
            lfs("textual/model.onnx"), plain("textual/tokenizer.json"), plain("textual/vocab.json"),
            plain("textual/merges.txt"), plain("textual/tokenizer_config.json"),
            plain("textual/special_tokens_map.json"), plain("textual/extra.txt"), plain("model.onnx_data"),
        ]
        XCTAssertEqual(try RepositoryLayout.of(files(listing), source: "test"), .clip)
        let chosen = try RepositoryLayout.clip.select(from: files(listing), source: "test")
        XCTAssertEqual(chosen.map(\.path), [
            "visual/model.onnx", "visual/model.onnx_data", "visual/preprocess_cfg.json", "textual/model.onnx",
            "textual/tokenizer.json", "textual/vocab.json", "textual/merges.txt", "textual/tokenizer_config.json",
            "textual/special_tokens_map.json", "config.json",
        ])
        XCTAssertEqual(chosen[0].digest, .sha256(sha256))
        XCTAssertEqual(chosen.last?.digest, .gitBlobSHA1(sha1))
        XCTAssertTrue(RepositoryLayout.clip.isWeights("textual/model.onnx.data"))
        XCTAssertFalse(RepositoryLayout.clip.isWeights("visual/fp16/model.onnx"))
    }

    /// Immich's OCR and face repositories: detection/ and recognition/ (classification/ when there),
    /// recognition/model.onnx last; a listing of neither kind is refused by name.
    func testADetectorRecognizerListingGivesItsModelsRecognitionLast() throws {
        let listing: [[String: Any]] = [
            plain("README.md"), lfs("recognition/model.onnx"), lfs("detection/model.onnx"),
            lfs("detection/fp16/model.onnx"), lfs("recognition/rknpu/rk3566/model.rknn"),
            lfs("classification/model.onnx"), lfs("detection/model.onnx_data", 4000), plain("config.json"),
        ]
        let layout = try RepositoryLayout.of(files(listing), source: "test")
        XCTAssertEqual(layout, .detectorRecognizer)
        XCTAssertEqual(try layout.select(from: files(listing), source: "test").map(\.path), [
            "detection/model.onnx", "classification/model.onnx", "detection/model.onnx_data", "recognition/model.onnx",
        ])
        assertRefused([lfs("detection/model.onnx")], "has no recognition/model.onnx")
        assertRefused([plain("README.md"), lfs("model.onnx")], "neither a CLIP model")
    }

    func testUnsafeOrRepeatedPathsRefuseTheWholeListing() {
        let base = [plain("config.json"), lfs("visual/model.onnx"), lfs("textual/model.onnx")]
        for path in ["../x", "visual/../../x", "/etc/passwd", "a//b", "./config.json", "a\\b", "a\u{0}b", "a\nb",
                     "", String(repeating: "a", count: 1025)] {
            assertRefused(base + [plain(path)], "unsafe path")
        }
        assertRefused(base + [["type": "directory", "path": "..", "size": 0, "oid": sha1]], "unsafe path")
        assertRefused(base + [plain("config.json")], "twice")
    }

    func testSizesAndDigestsAreChecked() {
        let base = [plain("config.json"), lfs("textual/model.onnx")]
        assertRefused(base + [lfs("visual/model.onnx", 33 << 30)], "visual/model.onnx is said to hold")
        assertRefused(base + [lfs("visual/model.onnx"), plain("visual/preprocess_cfg.json", 65 << 20)],
                      "visual/preprocess_cfg.json is said to hold")
        assertRefused(base + [lfs("visual/model.onnx", 30 << 30), lfs("visual/model.onnx_data", 30 << 30),
                              lfs("visual/model.onnx.data1", 30 << 30)], "add up to more than")
        assertRefused(base + [lfs("visual/model.onnx", -1)], "negative")
        assertRefused(base + [["type": "file", "path": "visual/model.onnx", "size": 5, "oid": "xyz"]],
                      "neither an LFS sha256 nor a 40-digit git blob id")
        assertRefused(base + [["type": "file", "path": "visual/model.onnx", "size": 5, "oid": sha1,
                               "lfs": ["oid": sha256, "size": 6]]], "its LFS entry")
        assertRefused(base, "has no visual/model.onnx")
    }

    func testDocumentsThatAreNotListingsOrTooLargeAreRefused() {
        XCTAssertThrowsError(try HubListing.files(from: Data("{\"error\":\"x\"}".utf8), source: "test"))
        let hugeSize = Data("[{\"type\":\"file\",\"path\":\"a\",\"size\":1e400}]".utf8)
        XCTAssertThrowsError(try HubListing.files(from: hugeSize, source: "test"))
        let padded = Data("[".utf8) + Data(repeating: UInt8(ascii: " "), count: HubListing.maxBytes) + Data("]".utf8)
        XCTAssertThrowsError(try HubListing.files(from: padded, source: "test")) {
            XCTAssertTrue("\($0)".contains("larger than"), "\($0)")
        }
    }

    func testGitBlobDigestOfAFileAndRepositoryAddresses() throws {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("hub-\(UUID().uuidString).txt")
        defer { try? FileManager.default.removeItem(at: url) }
        try Data("hello\n".utf8).write(to: url)
        // `printf 'hello\n' | git hash-object --stdin`
        XCTAssertEqual(try FileDigest.gitBlobSHA1("").actualHex(ofFileAt: url, size: 6),
                       "ce013625030ba8dba906f756967f9e9ca394464a")
        XCTAssertEqual(try FileDigest.sha256("").actualHex(ofFileAt: url, size: 6),
                       SHA256.hex(of: Data("hello\n".utf8)))

        let repository = try HubRepository(base: XCTUnwrap(URL(string: "https://huggingface.co/")),
                                           name: "ViT-B-32__openai")
        XCTAssertEqual(repository.listingURL.absoluteString,
                       "https://huggingface.co/api/models/immich-app/ViT-B-32__openai/tree/main?recursive=true")
        XCTAssertEqual(repository.fileURL("visual/model.onnx").absoluteString,
                       "https://huggingface.co/immich-app/ViT-B-32__openai/resolve/main/visual/model.onnx")
        for name in ["../x", "a/b", ".hidden", "", "a b", "ä", String(repeating: "a", count: 97)] {
            XCTAssertThrowsError(try HubRepository(base: XCTUnwrap(URL(string: "https://h.co")), name: name), name)
        }
        XCTAssertThrowsError(try HubRepository(base: XCTUnwrap(URL(string: "file:///tmp")), name: "x"))
    }
}
