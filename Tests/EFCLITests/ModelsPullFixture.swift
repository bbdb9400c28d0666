// What the `models pull` tests share: a test hub serving the generated small CLIP folder as
// immich-app/ViT-B-32__openai (or another folder under another name), a scratch models folder,
// and running `edgeflow models pull` at them.

import EFTestSupport
import Foundation
import XCTest

struct ModelsPullFixture {
    static let model = "ViT-B-32__openai"
    /// The repository files of the generated folder (its compiled model.efx files are not part of it).
    static let paths = [
        "config.json", "visual/model.onnx", "visual/preprocess_cfg.json", "textual/model.onnx",
        "textual/merges.txt", "textual/special_tokens_map.json", "textual/tokenizer.json",
        "textual/tokenizer_config.json", "textual/vocab.json",
    ]

    let server: HubTestServer
    /// The scratch directory; the models folder is its `models/`.
    let directory: URL
    /// The repository's name.
    let model: String

    init(_ prefix: String) throws {
        guard let source = TestData.fetchedFile("models/clip-folder-small/\(Self.model)") else {
            throw XCTSkip("scripts/setup.sh makes the small CLIP folder; it has not run")
        }
        try self.init(prefix, model: Self.model, folder: source, paths: Self.paths)
    }

    /// Serves `paths` of `folder` as immich-app/`model`.
    init(_ prefix: String, model: String, folder: URL, paths: [String]) throws {
        self.model = model
        server = try HubTestServer(model: model, folder: folder, paths: paths)
        directory = try TestData.temporaryDirectory(prefix)
    }

    var modelsFolder: URL { directory.appendingPathComponent("models") }
    var modelFolder: URL { modelsFolder.appendingPathComponent(model) }

    /// `edgeflow models pull NAME --from SERVER --models-dir MODELS extra...`.
    func pull(_ name: String? = nil, _ extra: [String] = []) throws -> CLIResult {
        try CLIRunner.run(["models", "pull", name ?? model, "--from", server.baseURL,
                           "--models-dir", modelsFolder.path] + extra, in: directory)
    }

    /// The file requests the server has seen (not the listing), as repository paths.
    var fileRequests: [HubTestServer.Request] {
        let prefix = "/immich-app/\(model)/resolve/main/"
        return server.requests.filter { $0.path.hasPrefix(prefix) }
            .map { HubTestServer.Request(path: String($0.path.dropFirst(prefix.count)), range: $0.range) }
    }

    /// Every file of the folder under `modelFolder`, relative paths.
    func filesOnDisk() -> Set<String> {
        let walker = FileManager.default.enumerator(atPath: modelFolder.path)
        var files = Set<String>()
        while let path = walker?.nextObject() as? String {
            if walker?.fileAttributes?[.type] as? FileAttributeType == .typeRegular { files.insert(path) }
        }
        return files
    }

    /// The lines of --json output as objects.
    static func events(_ stdout: String) throws -> [[String: Any]] {
        try stdout.split(separator: "\n").map {
            try XCTUnwrap(JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any], String($0))
        }
    }

    func cleanUp() {
        server.stop()
        try? FileManager.default.removeItem(at: directory)
    }
}
