// `edgeflow serve-ml`: a drop-in for Immich's machine-learning service (CLIP, faces, OCR over
// HTTP), with the models of a folder in Immich's layout compiled on first use. Immich's
// environment knobs are read so an existing deployment's settings carry over.

import ArgumentParser
import EFCore
import EFImmichML
import EFImmichServer
import EdgeflowRuntime
import Foundation

struct ServeMLCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve-ml",
        abstract: "Serve Immich's machine-learning API (CLIP, faces, OCR) from compiled models.",
        discussion: """
            Point Immich's machine-learning URL at it. GET /ping answers pong, POST /predict \
            takes Immich's multipart requests (entries + image or text). Models are folders named \
            as Immich names them under --models, in Immich's Hugging Face layout \
            (ViT-B-32__openai/visual/model.onnx, buffalo_l/detection/model.onnx, \
            PP-OCRv5_mobile/recognition/model.onnx, …); each is compiled beside its ONNX file on \
            first use, unloaded after --model-ttl seconds unused and loaded again (from the cached \
            executable, in milliseconds) when asked for. `edgeflow models pull NAME` fetches CLIP models.

            Environment (as Immich's service reads it; options win): IMMICH_HOST, IMMICH_PORT, \
            MACHINE_LEARNING_CACHE_FOLDER (the models folder), MACHINE_LEARNING_REQUEST_THREADS, \
            MACHINE_LEARNING_MODEL_TTL (seconds, default 300, 0 keeps models loaded), \
            MACHINE_LEARNING_MODEL_TTL_POLL_S (default 10), \
            MACHINE_LEARNING_MAX_BATCH_SIZE__FACIAL_RECOGNITION (faces per recognizer run, default 8; \
            faces of concurrent requests share runs), MACHINE_LEARNING_MAX_BATCH_SIZE__OCR (text lines \
            per recognizer run, default 6), MACHINE_LEARNING_MAX_BATCH_SIZE__CLIP (Edgeflow's own: \
            images per CLIP image-tower run, default 2, 1 runs them one by one; the images of \
            concurrent requests share runs, the tower compiled a second time for the batch), \
            MACHINE_LEARNING_PRELOAD__CLIP__VISUAL, …__CLIP__TEXTUAL, \
            …__FACIAL_RECOGNITION__DETECTION, …__FACIAL_RECOGNITION__RECOGNITION, \
            …__OCR__DETECTION, …__OCR__RECOGNITION (comma-separated model names loaded at start).

            Examples:
              edgeflow serve-ml --models ~/.cache/edgeflow/models
              IMMICH_PORT=3004 edgeflow serve-ml --models .testdata/immich-models --host 127.0.0.1
            """)

    @Option(help: ArgumentHelp("The address to listen on (IMMICH_HOST; default every address, ::).",
                               valueName: "address"))
    var host: String?

    @Option(help: ArgumentHelp("The port, 0…65535 (IMMICH_PORT; default 3003; 0 picks a free one).",
                               valueName: "port"))
    var port: Int?

    @Option(help: ArgumentHelp("The models folder (MACHINE_LEARNING_CACHE_FOLDER; default $EDGEFLOW_MODELS, "
                               + "else ~/.cache/edgeflow/models).", valueName: "dir"))
    var models: String?

    @Option(help: ArgumentHelp("Requests predicted at once, 1…256 (MACHINE_LEARNING_REQUEST_THREADS; "
                               + "default the number of cores).", valueName: "n"))
    var requestThreads: Int?

    @Option(help: ArgumentHelp("Seconds a model stays loaded unused, 0…604800 (MACHINE_LEARNING_MODEL_TTL; "
                               + "default 300; 0 never unloads).", valueName: "seconds"))
    var modelTTL: Int?

    @Option(help: ArgumentHelp("Threads each model runs on (1…1024).", valueName: "n"))
    var threads: Int?

    func validate() throws {
        if let port, !(0...65535).contains(port) { throw ValidationError("--port must be in 0…65535") }
        if let requestThreads, !(1...256).contains(requestThreads) {
            throw ValidationError("--request-threads must be in 1…256")
        }
        if let threads, !(1...1024).contains(threads) { throw ValidationError("--threads must be in 1…1024") }
        if let modelTTL, !(0...604_800).contains(modelTTL) {
            throw ValidationError("--model-ttl must be in 0…604800 seconds")
        }
    }

    func run() throws {
        try CommandSupport.run {
            let environment = ProcessInfo.processInfo.environment
            var options = ImmichMLServerOptions()
            options.host = host ?? environment["IMMICH_HOST"] ?? options.host
            options.port = try port ?? Self.number(environment, "IMMICH_PORT", 0...65535) ?? options.port
            options.requestThreads = try requestThreads
                ?? Self.number(environment, "MACHINE_LEARNING_REQUEST_THREADS", 1...256) ?? options.requestThreads
            if let threads { EdgeflowModel.setThreadCount(threads) }
            let root = models ?? environment["MACHINE_LEARNING_CACHE_FOLDER"] ?? CLIPFolderLoading.modelsDirectory()
            let faceBatch = try Self.number(environment, "MACHINE_LEARNING_MAX_BATCH_SIZE__FACIAL_RECOGNITION",
                                            1...64) ?? 8
            let clipBatch = try Self.number(environment, "MACHINE_LEARNING_MAX_BATCH_SIZE__CLIP", 1...64) ?? 2
            let folders = ImmichModelFolders(root: CommandSupport.url(root), faceBatchSize: faceBatch,
                                             clipBatchSize: clipBatch) {
                ServingLoop.say("note: " + $0)
            }
            try Self.preload(folders, environment)
            let ttl = try modelTTL ?? Self.number(environment, "MACHINE_LEARNING_MODEL_TTL", 0...604_800) ?? 300
            let poll = try Self.number(environment, "MACHINE_LEARNING_MODEL_TTL_POLL_S", 1...3600) ?? 10
            folders.cache.startUnloading(ttl: Double(ttl), poll: Double(poll)) { keys in
                ServingLoop.say("note: unloaded \(keys.joined(separator: ", ")) (unused for \(ttl) s)")
            }
            let server = ImmichMLServer(service: ImmichMLService(models: folders), options: options)
            try ServingLoop.run(address: "\(options.host):\(options.port)") {
                try await server.run { url in ServingLoop.say("serving Immich's machine-learning API at \(url)") }
            }
        }
    }

    /// Loads the models named by Immich's PRELOAD variables.
    private static func preload(_ folders: ImmichModelFolders, _ environment: [String: String]) throws {
        let loaders: [(String, (String) throws -> Void)] = [
            ("CLIP__VISUAL", { _ = try folders.clip($0) }), ("CLIP__TEXTUAL", { _ = try folders.clip($0) }),
            ("FACIAL_RECOGNITION__DETECTION", { _ = try folders.faceDetector($0) }),
            ("FACIAL_RECOGNITION__RECOGNITION", { _ = try folders.faceRecognizer($0) }),
            ("OCR__DETECTION", { _ = try folders.textReader($0, resolution: 736) }),
            ("OCR__RECOGNITION", { _ = try folders.textReader($0, resolution: 736) }),
        ]
        for (suffix, load) in loaders {
            let names = environment["MACHINE_LEARNING_PRELOAD__" + suffix]?.split(separator: ",") ?? []
            for name in names.map({ PredictRequest.cleanModelName($0.trimmingCharacters(in: .whitespaces)) }) {
                try load(name)
                ServingLoop.say("note: preloaded \(name) for \(suffix.lowercased())")
            }
        }
    }

    /// An integer environment variable within `range`, or nil when unset.
    private static func number(_ environment: [String: String], _ name: String,
                               _ range: ClosedRange<Int>) throws -> Int? {
        guard let text = environment[name] else { return nil }
        guard let value = Int(text), range.contains(value) else {
            throw EdgeflowError(.invalidArgument, "\(name)=\(text) is not a whole number in \(range)")
        }
        return value
    }
}
