// What one `POST /predict` asks for: the `entries` JSON decoded once into typed tasks (CLIP image
// or text embedding, face detection with optional recognition, OCR detection with optional
// recognition) and the input (image bytes or text). Errors carry the status and detail Immich's
// own service answers with (see docs/immich-ml.md).

import EFCore
import Foundation

/// A failed request: the HTTP status and the `detail` of the JSON error body.
public struct PredictError: Error, Equatable, Sendable {
    public var status: Int
    public var detail: String

    public init(status: Int, detail: String) {
        self.status = status
        self.detail = detail
    }

    /// Immich's answer to entries that are not JSON or not of the expected shape.
    public static func invalidFormat(_ why: String) -> PredictError {
        PredictError(status: 422, detail: "Invalid request format. (\(why))")
    }
}

/// One task of a request, with its model names (cleaned as Immich cleans them) and options.
public enum PredictTask: Equatable, Sendable {
    case clipVisual(model: String)
    case clipTextual(model: String, language: String?)
    /// Face detection (faces scoring below `minScore` dropped), with recognition when `recognition` names a model.
    case faces(detection: String, minScore: Float, recognition: String?)
    /// OCR detection (`minScore` on boxes, the shorter side scaled to at most `maxResolution`)
    /// with recognition (`minTextScore`) when `recognition` names a model.
    case ocr(detection: String, minScore: Float, maxResolution: Int, recognition: String?, minTextScore: Float)
}

/// A decoded `/predict` request.
public struct PredictRequest: Sendable {
    public enum Input: Sendable, Equatable {
        case image(Data)
        case text(String)
    }

    public var tasks: [PredictTask]
    public var input: Input

    /// Longest `entries` JSON accepted, in bytes.
    public static let maxEntriesBytes = 65536
    /// Longest text accepted, in bytes.
    public static let maxTextBytes = 65536

    /// Decodes the form's parts: `entries` (required), then `image` (wins) or `text`.
    /// - Throws: `PredictError` 422 for missing or malformed entries, 400 without image or text,
    ///   400 for a recognition entry without its detection, 413 for an oversized entries or text part.
    public init(parts: [FormPart]) throws {
        guard let entries = parts.first(where: { $0.name == "entries" }) else {
            throw PredictError(status: 422, detail: "the form has no 'entries' field")
        }
        guard entries.body.count <= Self.maxEntriesBytes else {
            throw PredictError(status: 413, detail: "'entries' is over \(Self.maxEntriesBytes) bytes")
        }
        tasks = try Self.tasks(entries.body)
        if let image = parts.first(where: { $0.name == "image" }) {
            input = .image(image.body)
        } else if let text = parts.first(where: { $0.name == "text" }) {
            guard text.body.count <= Self.maxTextBytes else {
                throw PredictError(status: 413, detail: "'text' is over \(Self.maxTextBytes) bytes")
            }
            guard let string = String(data: text.body, encoding: .utf8) else {
                throw PredictError(status: 400, detail: "'text' is not UTF-8")
            }
            input = .text(string)
        } else {
            throw PredictError(status: 400, detail: "Either image or text must be provided")
        }
    }

    /// The tasks of an `entries` JSON object: `{task: {type: {"modelName": …, "options": {…}}}}`.
    static func tasks(_ json: Data) throws -> [PredictTask] {
        guard let object = try? JSONSerialization.jsonObject(with: json),
              let entries = object as? [String: Any], !entries.isEmpty else {
            throw PredictError.invalidFormat("entries is not a JSON object of tasks")
        }
        var tasks: [PredictTask] = []
        for task in entries.keys.sorted() {
            guard let types = entries[task] as? [String: Any], !types.isEmpty else {
                throw PredictError.invalidFormat("'\(task)' is not an object of model types")
            }
            let models = try types.mapValues { try Entry($0, task: task) }
            switch task {
            case "clip":
                for (type, entry) in models.sorted(by: { $0.key < $1.key }) {
                    switch type {
                    case "visual": tasks.append(.clipVisual(model: entry.model))
                    case "textual": tasks.append(.clipTextual(model: entry.model, language: entry.string("language")))
                    default: throw PredictError.invalidFormat("clip has no model type '\(type)'")
                    }
                }
            case "facial-recognition", "ocr":
                try Self.checkTypes(models, task: task)
                guard let detection = models["detection"] else {
                    throw PredictError(status: 400, detail: "Task \(task) recognition depends on output of detection")
                }
                let recognition = models["recognition"]
                if task == "ocr" {
                    let maxResolution = try detection.number("maxResolution") ?? 736
                    guard (32...8192).contains(maxResolution) else {
                        throw PredictError.invalidFormat("maxResolution must be in 32…8192")
                    }
                    tasks.append(.ocr(detection: detection.model, minScore: try detection.number("minScore") ?? 0.5,
                                      maxResolution: Int(maxResolution),
                                      recognition: recognition?.model,
                                      minTextScore: try recognition?.number("minScore") ?? 0.9))
                } else {
                    tasks.append(.faces(detection: detection.model, minScore: try detection.number("minScore") ?? 0.7,
                                        recognition: recognition?.model))
                }
            default:
                throw PredictError.invalidFormat("unknown task '\(task)' (clip, facial-recognition, ocr)")
            }
        }
        return tasks
    }

    private static func checkTypes(_ models: [String: Entry], task: String) throws {
        for type in models.keys where type != "detection" && type != "recognition" {
            throw PredictError.invalidFormat("\(task) has no model type '\(type)'")
        }
    }

    /// Immich's `clean_name`: the last `/` segment, with `:` and `\` as `_` and `.` removed.
    public static func cleanModelName(_ name: String) -> String {
        let last = name.split(separator: "/", omittingEmptySubsequences: false).last.map(String.init) ?? name
        return last.replacingOccurrences(of: ":", with: "_").replacingOccurrences(of: "\\", with: "_")
            .replacingOccurrences(of: ".", with: "")
    }
}

/// One `{"modelName": …, "options": {…}}` entry. Unknown option keys are ignored, as Immich's
/// own service did before v3.2 (its server never sends any).
private struct Entry {
    var model: String
    var options: [String: Any]

    init(_ value: Any, task: String) throws {
        guard let object = value as? [String: Any], let name = object["modelName"] as? String,
              !name.isEmpty, name.utf8.count <= 256 else {
            throw PredictError.invalidFormat("an entry of '\(task)' has no modelName (1…256 bytes)")
        }
        model = PredictRequest.cleanModelName(name)
        guard !model.isEmpty else { throw PredictError.invalidFormat("the model name '\(name)' is empty when cleaned") }
        guard object["options"] == nil || object["options"] is [String: Any] else {
            throw PredictError.invalidFormat("options of \(model) is not an object")
        }
        options = object["options"] as? [String: Any] ?? [:]
    }

    func string(_ key: String) -> String? { options[key] as? String }

    /// A finite number option, or nil when absent.
    func number(_ key: String) throws -> Float? {
        guard let value = options[key] else { return nil }
        guard let number = value as? NSNumber, number.doubleValue.isFinite else {
            throw PredictError.invalidFormat("option \(key) of \(model) is not a number")
        }
        return number.floatValue
    }
}
