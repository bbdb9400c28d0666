// Answers one `/predict` request the way Immich's machine-learning service does: the image
// decoded once (EFMedia's limits), then each task on the models the provider hands out (CLIP
// towers, SCRFD + ArcFace, PP-OCR), and one JSON answer. Where the models come from (compiled
// on first use, cached, unloaded after a while) is the provider's business. The CLIP image tower
// and the face recognizer run the items of concurrent requests together (RequestBatcher); a
// CLIP image request announces itself before its image is decoded, so two requests sent
// together share a run.

import EFCore
import EFMedia
import EFSearch
import EFVision
import Foundation

/// Hands out loaded models by Immich's model names.
public protocol ImmichModelProvider: Sendable {
    /// Both towers of a CLIP model folder.
    func clip(_ name: String) throws -> CLIPModel
    func faceDetector(_ name: String) throws -> FaceDetector
    func faceRecognizer(_ name: String) throws -> FaceRecognizer
    /// A text reader (`resolution`: Immich's `maxResolution` rounded to a multiple of 32 in
    /// 32…4096; each `read` is told the request's own).
    func textReader(_ name: String, resolution: Int) throws -> TextReader
}

/// The machine-learning service without its HTTP layer. Thread-safe when the provider is.
public final class ImmichMLService: Sendable {
    public let models: ImmichModelProvider
    /// The decoder's pixel limit for sent images.
    public let maxPixels: Int
    /// Face crops of concurrent requests, batched per recognition model.
    private let faceBatchers = BatcherTable<PixelImage, [Float]>()
    /// CLIP image inputs of concurrent requests, batched per model; a run waits up to 50 ms for
    /// announced images still being decoded.
    private let clipBatchers = BatcherTable<Tensor, [Float]>(gatherWindow: 0.05)

    public init(models: ImmichModelProvider, maxPixels: Int = DecodeOptions.defaultMaxPixels) {
        self.models = models
        self.maxPixels = maxPixels
    }

    /// The JSON answer to `request`.
    /// - Parameter slots: the work slot the caller holds, given back while the request waits for
    ///   another request's batch run (see `RequestBatcher`).
    /// - Throws: `PredictError` with Immich's status: 400 for an image that cannot be decoded or
    ///   a task that needs the other input, 500 for a model that cannot be loaded or fails.
    public func predict(_ request: PredictRequest, yielding slots: WorkSlots? = nil) throws -> Data {
        var answer = PredictAnswer()
        let work = Work(request: request, slots: slots)
        // Whatever was announced and not delivered is withdrawn, however the request ends.
        defer { for clip in work.clipImages.values { clip.batcher.withdraw(clip.announcement) } }
        // Announced before the image is decoded: a run of the tower waits for it.
        if case .image = request.input {
            for case .clipVisual(let name) in request.tasks where work.clipImages[name] == nil {
                let model = try load(name) { try models.clip(name) }
                let batcher = clipBatchers.batcher(name, maxItems: model.visualRuns.batchSize)
                work.clipImages[name] = ClipImage(model: model, batcher: batcher, announcement: batcher.announce(1))
            }
        }
        var image: PixelImage?
        if case .image(let bytes) = request.input {
            let decoded: DecodedImage
            do {
                decoded = try ImageDecoder.decode(bytes: [UInt8](bytes), options: DecodeOptions(maxPixels: maxPixels))
            } catch {
                throw PredictError(status: 400, detail: "the image cannot be decoded: \(Self.describe(error))")
            }
            image = decoded.image
            answer.setImageSize(width: decoded.image.width, height: decoded.image.height)
        }
        for task in request.tasks {
            try run(task, work, image: image, into: &answer)
        }
        return try answer.json()
    }

    /// A CLIP image task of one request: the model, its tower's batcher, the announced image.
    private struct ClipImage {
        let model: CLIPModel
        let batcher: RequestBatcher<Tensor, [Float]>
        let announcement: RequestBatcher<Tensor, [Float]>.Announcement
    }

    /// What the tasks of one request share: its input, the caller's slot, its announced CLIP images.
    private final class Work {
        let request: PredictRequest
        let slots: WorkSlots?
        var clipImages: [String: ClipImage] = [:]
        init(request: PredictRequest, slots: WorkSlots?) {
            self.request = request
            self.slots = slots
        }
    }

    private func run(_ task: PredictTask, _ work: Work, image: PixelImage?, into answer: inout PredictAnswer) throws {
        let input = work.request.input
        switch task {
        case .clipVisual(let name):
            let image = try need(image, task: "clip visual")
            // With an image, `predict` has loaded the model and announced the image.
            guard let clip = work.clipImages[name] else {
                throw PredictError(status: 500, detail: "internal error: the clip visual task was not announced")
            }
            let tensor = try clip.model.imageTensor(image)
            let embedding = try clip.batcher.run([tensor], announced: clip.announcement, yielding: work.slots) {
                try clip.model.embed(imageTensors: $0)
            }
            try answer.setCLIP(embedding[0])
        case .clipTextual(let name, let language):
            guard case .text(let text) = input else {
                throw PredictError(status: 400, detail: "clip textual needs a 'text' field")
            }
            let model = try load(name) { try models.clip(name) }
            do {
                try answer.setCLIP(try model.embed(text: text, language: language).vector)
            } catch let error as EdgeflowError where error.kind == .invalidInput {
                throw PredictError(status: 400, detail: error.message)
            }
        case .faces(let detection, let minScore, let recognition):
            let image = try need(image, task: "facial-recognition")
            let detector = try load(detection) { try models.faceDetector(detection) }
            let recognizer = try recognition.map { name in try load(name) { try models.faceRecognizer(name) } }
            let faces = try detector.detect(image, minScore: minScore)
            var embeddings = [[Float]](repeating: [], count: faces.count)
            if let recognizer, let recognition {
                let crops = try faces.map { face in
                    try FaceAlignment.align(image, landmarks: face.landmarks ?? [], size: recognizer.size)
                }
                embeddings = try faceBatchers.batcher(recognition, maxItems: 32).run(crops, yielding: work.slots) {
                    try recognizer.embed(aligned: $0)
                }
            }
            try answer.setFaces(zip(faces, embeddings).map { face, embedding in
                AnsweredFace(box: face.box, score: face.score, embedding: embedding)
            })
        case .ocr(let detection, let minScore, let resolution, _, let minTextScore):
            let image = try need(image, task: "ocr")
            let side = max(32, min(4096, resolution / 32 * 32))
            let reader = try load(detection) { try models.textReader(detection, resolution: side) }
            // The reader answers in Immich's reading order, corners TL, TR, BR, BL.
            let lines = try reader.read(image, maxResolution: max(1, resolution), minBoxScore: minScore,
                                        minTextScore: minTextScore)
            try answer.setText(lines.map { line in
                AnsweredText(text: line.text, corners: line.corners.flatMap { [Float($0.x), Float($0.y)] },
                             boxScore: line.boxScore, textScore: line.score)
            }, imageWidth: image.width, imageHeight: image.height)
        }
    }

    /// The batcher of CLIP model `name`'s image tower, once a request used it (for status and tests).
    public func clipBatcher(_ name: String) -> RequestBatcher<Tensor, [Float]>? {
        clipBatchers.existing(name)
    }

    private func need(_ image: PixelImage?, task: String) throws -> PixelImage {
        guard let image else { throw PredictError(status: 400, detail: "\(task) needs an 'image' field") }
        return image
    }

    /// A model from the provider; a failure to load is Immich's 500 naming the model.
    private func load<Model>(_ name: String, _ body: () throws -> Model) throws -> Model {
        do {
            return try body()
        } catch {
            throw PredictError(status: 500, detail: "Failed to load model '\(name)': \(Self.describe(error))")
        }
    }

    private static func describe(_ error: Error) -> String {
        (error as? EdgeflowError)?.message ?? "\(error)"
    }
}
