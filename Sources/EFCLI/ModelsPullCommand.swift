// `edgeflow models pull NAME`: downloads an Immich model (the files Edgeflow uses, each checked
// by size and digest, resumable) into the models folder: a CLIP model, whose two towers are then
// compiled so `photos index` and `photos search` find it ready, or a detector/recognizer pair
// (an OCR text reader such as PP-OCRv5_mobile, face models such as buffalo_l), compiled on first
// use for each input shape.

import ArgumentParser
import EFCore
import EFModelHub
import Foundation

struct ModelsPullCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pull",
        abstract: "Download an Immich CLIP, OCR or face model from Hugging Face (and compile a CLIP model).",
        discussion: """
            Lists the repository immich-app/NAME (BASE/api/models/immich-app/NAME/tree/main), says \
            which files it will fetch and their size, then downloads them into MODELS/NAME. For a \
            CLIP model: config.json, visual/model.onnx, visual/preprocess_cfg.json, textual/model.onnx \
            and the tokenizer files. For a detector/recognizer pair (Immich's OCR models such as \
            PP-OCRv5_mobile, its face models such as buffalo_l): detection/model.onnx, \
            recognition/model.onnx and classification/model.onnx when there is one. External weight \
            files next to a model.onnx come along; the fp16, ArmNN and RKNPU variants never do. Each \
            file arrives as FILE.partial, is checked against the listing's size and SHA-256 (git's blob \
            id for small files) and renamed only when every file is complete (config.json, or \
            recognition/model.onnx, last); a pull that was interrupted continues where it stopped. Then \
            a CLIP model's towers are compiled into model.efx beside their ONNX files; a pair is \
            compiled on first use, once per input shape (photos index --ocr, serve-ml). A second pull \
            of a complete model downloads nothing.

            Progress goes to stderr; --json prints one JSON object per line on stdout (plan, \
            started, retrying, fetched, kept, compiled, summary).

            Examples:
              edgeflow models pull ViT-B-32__openai
              edgeflow models pull ViT-B-32__openai --models-dir ./models --json
              edgeflow models pull ViT-B-32__openai --from http://mirror:8080 --no-compile
              edgeflow models pull PP-OCRv5_mobile
            """)

    @Argument(help: ArgumentHelp("An Immich model name (a repository of immich-app on Hugging Face).",
                                 valueName: "name"))
    var name: String

    @Option(name: .customLong("from"), help: ArgumentHelp("The hub's address.", valueName: "base-url"))
    var base = "https://huggingface.co"

    @OptionGroup var location: ModelsDirectoryOption

    @Option(help: ArgumentHelp("Transfers per file in this run, each continuing where the last stopped (1…100).",
                                valueName: "n"))
    var attempts = 3

    @Flag(name: .customLong("no-compile"), help: "Only download; the towers are compiled on first use.")
    var noCompile = false

    @Flag(help: "Print one JSON object per line on stdout.")
    var json = false

    func validate() throws {
        guard (1...100).contains(attempts) else { throw ValidationError("--attempts must be in 1…100") }
    }

    func run() throws {
        try CommandSupport.run {
            guard let baseURL = URL(string: base) else {
                throw EdgeflowError(.invalidArgument, "--from \(String(reflecting: base)) is not an address")
            }
            let repository = try HubRepository(base: baseURL, name: name)
            let folder = location.url.appendingPathComponent(repository.name)
            var pull = try ModelPull(repository: repository, folder: folder)
            pull.attempts = attempts
            let reporter = PullReporter(json: json)
            announce(pull, reporter)
            let start = Date()
            let compiles = !noCompile && pull.layout == .clip
            try pull.run(reserve: compiles ? executableReserve(pull) : 0, events: reporter.handle)
            let seconds = Date().timeIntervalSince(start)
            var compiled: [String] = []
            if compiles {
                _ = try CLIPFolderLoading.load(folder.path) { line in
                    reporter.say(line)
                    compiled.append(line)
                    reporter.emit(["event": "compiled", "message": line])
                }
            }
            let rate = seconds > 0 ? Double(reporter.downloaded) / seconds / 1e6 : 0
            let towers = noCompile ? "not compiled (--no-compile)"
                : pull.layout != .clip ? "compiled on first use for each input shape"
                : compiled.isEmpty ? "executables already compiled" : "towers compiled"
            reporter.say(String(format: "%@ is ready in %@: %@ downloaded in %.1f s (%.1f MB/s), %@",
                                repository.name, CommandSupport.display(folder),
                                CommandSupport.bytes(reporter.downloaded), seconds, rate, towers))
            reporter.emit(["event": "summary", "name": repository.name, "folder": folder.path,
                           "files": pull.files.count, "bytes": pull.totalBytes, "downloaded": reporter.downloaded,
                           "seconds": seconds, "compiled": !compiled.isEmpty])
        }
    }

    /// Says what will be fetched, before any byte of it is.
    private func announce(_ pull: ModelPull, _ reporter: PullReporter) {
        let source = pull.repository.base.absoluteString + " (" + pull.repository.id + ")"
        reporter.say("\(pull.repository.name) (a \(pull.layout.kind)) from \(source): \(pull.files.count) files, "
                     + "\(CommandSupport.bytes(pull.totalBytes)), "
                     + "\(CommandSupport.bytes(pull.bytesToDownload)) to download")
        for planned in pull.files {
            let state = planned.complete ? " (present)"
                : planned.bytesPresent > 0 ? " (\(CommandSupport.bytes(planned.bytesPresent)) present)" : ""
            reporter.say("  \(planned.file.path)  \(CommandSupport.bytes(planned.file.size))\(state)")
        }
        reporter.emit(["event": "plan", "name": pull.repository.name, "kind": pull.layout.kind,
                       "folder": pull.folder.path,
                       "bytes": pull.totalBytes, "toDownload": pull.bytesToDownload,
                       "files": pull.files.map { ["path": $0.file.path, "size": $0.file.size,
                                                  "present": $0.bytesPresent] }])
    }

    /// Space the executables will take when compiled (about their towers' weights), for towers not compiled yet.
    private func executableReserve(_ pull: ModelPull) -> Int {
        ["visual", "textual"].reduce(0) { total, tower in
            let onnx = pull.folder.appendingPathComponent("\(tower)/model.onnx")
            let efx = pull.folder.appendingPathComponent("\(tower)/model.efx")
            let compiled = FileManager.default.fileExists(atPath: onnx.path)
                && FolderModelCompiling.isCurrent(efx, comparedWith: onnx)
            guard !compiled else { return total }
            return total + pull.files.filter { $0.file.path.hasPrefix(tower + "/")
                && pull.layout.isWeights($0.file.path) }.reduce(0) { $0 + $1.file.size }
        }
    }
}
