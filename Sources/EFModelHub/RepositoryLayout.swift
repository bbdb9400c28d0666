// Which files of an Immich model repository Edgeflow pulls, for the two layouts Immich's
// repositories use: a CLIP model (config.json, each tower's model.onnx with its external-data
// files, the visual preprocessing and the text tokenizer files) and a detector/recognizer pair
// (detection/ and recognition/ model.onnx: PP-OCR text readers such as PP-OCRv5_mobile, face
// models such as buffalo_l; classification/ when there is one) — never the fp16, ArmNN or RKNPU
// variants. Sizes are checked here, before anything is allocated or written.

import EFCore

/// The files of one kind of Immich model repository that Edgeflow uses.
public struct RepositoryLayout: Sendable, Equatable {
    /// "CLIP model", "detector/recognizer pair".
    public let kind: String
    /// The folders whose model.onnx (with external data) are the weights.
    public let towers: [String]
    /// Files every folder of this kind needs.
    public let required: [String]
    /// Files taken when the repository has them.
    public let optional: [String]
    /// The file renamed last: a folder counts as a model once it is there.
    public let completionMarker: String

    /// Immich's CLIP repositories (ViT-B-32__openai, …).
    public static let clip = RepositoryLayout(
        kind: "CLIP model", towers: ["visual", "textual"],
        required: ["visual/model.onnx", "textual/model.onnx", "config.json"],
        optional: ["visual/preprocess_cfg.json", "textual/tokenizer.json", "textual/tokenizer_config.json",
                   "textual/special_tokens_map.json", "textual/vocab.json", "textual/merges.txt"],
        completionMarker: "config.json")

    /// Immich's OCR (PP-OCRv5_mobile, …) and face (buffalo_l, …) repositories; PP-OCR's optional
    /// text-line direction classifier in classification/.
    public static let detectorRecognizer = RepositoryLayout(
        kind: "detector/recognizer pair", towers: ["detection", "recognition", "classification"],
        required: ["detection/model.onnx", "recognition/model.onnx"],
        optional: ["classification/model.onnx"],
        completionMarker: "recognition/model.onnx")

    /// The largest model or external-data file accepted (the largest Immich towers are a few GB).
    public static let maxWeightsFileBytes = 32 << 30
    /// The largest configuration or tokenizer file accepted.
    public static let maxSmallFileBytes = 64 << 20
    /// The largest whole model accepted.
    public static let maxTotalBytes = 64 << 30

    /// The layout of a listing: CLIP when it has visual/ or textual/ files, a detector/recognizer
    /// pair when it has detection/ or recognition/ files.
    /// - Throws: `EdgeflowError.invalidModel` when it has neither.
    public static func of(_ files: [HubFile], source: String) throws -> RepositoryLayout {
        for layout in [clip, detectorRecognizer] where files.contains(where: { layout.inTower($0.path) != nil }) {
            return layout
        }
        throw EdgeflowError(.invalidModel, "\(source) is neither a CLIP model (visual/, textual/) nor a "
                                + "detector/recognizer pair (detection/, recognition/)",
                            hint: "Edgeflow pulls Immich's CLIP, OCR (PP-OCRv5_mobile) and face (buffalo_l) models")
    }

    /// The files to pull out of a listing, the completion marker last.
    /// - Throws: `EdgeflowError.invalidModel` naming a missing required file or a size over the limits.
    public func select(from files: [HubFile], source: String) throws -> [HubFile] {
        let wanted = files.filter { isWanted($0.path) }
        for path in required where !wanted.contains(where: { $0.path == path }) {
            throw EdgeflowError(.invalidModel, "\(source) has no \(path)",
                                hint: "a \(kind) repository in Immich's layout has " + required.joined(separator: ", "))
        }
        var total = 0
        for file in wanted {
            let limit = isWeights(file.path) ? Self.maxWeightsFileBytes : Self.maxSmallFileBytes
            guard file.size <= limit else {
                throw EdgeflowError(.invalidModel, "\(source): \(file.path) is said to hold \(file.size) bytes, "
                                        + "more than the \(limit) accepted for it")
            }
            total += file.size
            guard total <= Self.maxTotalBytes else {
                throw EdgeflowError(.invalidModel, "\(source): the model's files add up to more than "
                                        + "\(Self.maxTotalBytes) bytes")
            }
        }
        return wanted.filter { $0.path != completionMarker } + wanted.filter { $0.path == completionMarker }
    }

    /// True for the weights of a tower: model.onnx and its external-data files.
    public func isWeights(_ path: String) -> Bool {
        inTower(path).map { $0 == "model.onnx" || Self.isExternalData($0) } ?? false
    }

    private func isWanted(_ path: String) -> Bool {
        required.contains(path) || optional.contains(path) || isWeights(path)
    }

    /// The file name when `path` lies directly in one of the tower folders.
    private func inTower(_ path: String) -> Substring? {
        let parts = path.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2, towers.contains(String(parts[0])) else { return nil }
        return parts[1]
    }

    /// model.onnx's external weights as the ONNX exporters name them: model.onnx_data, model.onnx.data….
    private static func isExternalData(_ name: Substring) -> Bool {
        name.hasPrefix("model.onnx_data") || name.hasPrefix("model.onnx.data")
    }
}
