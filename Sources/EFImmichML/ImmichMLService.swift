// Answers one `/predict` request the way Immich's machine-learning service does: the image
// decoded once (EFMedia's limits), then each task on the models the provider hands out (CLIP
// towers, SCRFD + ArcFace, PP-OCR), and one JSON answer. Where the models come from (compiled
// on first use, cached, unloaded after a while) is the provider's business.

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
    private let faceBatchers = BatcherTable<PixelImage, [Float]>(maxItems: 32)

    public init(models: ImmichModelProvider, maxPixels: Int = DecodeOptions.defaultMaxPixels) {
        self.models = models
        self.maxPixels = maxPixels
    }

    /// The JSON answer to `request`.
    /// - Throws: `PredictError` with Immich's status: 400 for an image that cannot be decoded or
    ///   a task that needs the other input, 500 for a model that cannot be loaded or fails.
    public func predict(_ request: PredictRequest) throws -> Data {
        var answer = PredictAnswer()
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
            try run(task, input: request.input, image: image, into: &answer)
        }
        return try answer.json()
    }

    private func run(_ task: PredictTask, input: PredictRequest.Input, image: PixelImage?,
                     into answer: inout PredictAnswer) throws {
        switch task {
        case .clipVisual(let name):
            let image = try need(image, task: "clip visual")
            let model = try load(name) { try models.clip(name) }
            try answer.setCLIP(try model.embed(imageTensor: model.imageTensor(image)))
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
                embeddings = try faceBatchers.batcher(recognition).run(crops) { try recognizer.embed(aligned: $0) }
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
