// Which files of an Immich CLIP repository Edgeflow pulls: config.json, each tower's model.onnx
// with its external-data files, the visual preprocessing and the text tokenizer files — not the
// fp16, ArmNN or RKNPU variants. Sizes are checked here, before anything is allocated or written.

import EFCore

/// The files of an Immich CLIP model repository that Edgeflow uses.
public enum CLIPRepositoryFiles {
    /// Files every CLIP folder needs.
    public static let required = ["visual/model.onnx", "textual/model.onnx", "config.json"]
    /// Files taken when the repository has them.
    public static let optional = [
        "visual/preprocess_cfg.json", "textual/tokenizer.json", "textual/tokenizer_config.json",
        "textual/special_tokens_map.json", "textual/vocab.json", "textual/merges.txt",
    ]
    /// The largest model or external-data file accepted (the largest Immich towers are a few GB).
    public static let maxWeightsFileBytes = 32 << 30
    /// The largest configuration or tokenizer file accepted.
    public static let maxSmallFileBytes = 64 << 20
    /// The largest whole model accepted.
    public static let maxTotalBytes = 64 << 30

    /// The files to pull out of a listing, config.json last (a folder is a model once it has
    /// config.json, so that one appears last).
    /// - Throws: `EdgeflowError.invalidModel` naming a missing required file or a size over the limits.
    public static func select(from files: [HubFile], source: String) throws -> [HubFile] {
        let wanted = files.filter { isWanted($0.path) }
        for path in required where !wanted.contains(where: { $0.path == path }) {
            throw EdgeflowError(.invalidModel, "\(source) has no \(path)",
                                hint: "a CLIP model repository in Immich's layout has "
                                    + required.joined(separator: ", "))
        }
        var total = 0
        for file in wanted {
            let limit = isWeights(file.path) ? maxWeightsFileBytes : maxSmallFileBytes
            guard file.size <= limit else {
                throw EdgeflowError(.invalidModel, "\(source): \(file.path) is said to hold \(file.size) bytes, "
                                        + "more than the \(limit) accepted for it")
            }
            total += file.size
            guard total <= maxTotalBytes else {
                throw EdgeflowError(.invalidModel, "\(source): the model's files add up to more than "
                                        + "\(maxTotalBytes) bytes")
            }
        }
        return wanted.filter { $0.path != "config.json" } + wanted.filter { $0.path == "config.json" }
    }

    /// True for the weights of a tower: model.onnx and its external-data files.
    public static func isWeights(_ path: String) -> Bool {
        towerFile(path).map { $0 == "model.onnx" || isExternalData($0) } ?? false
    }

    private static func isWanted(_ path: String) -> Bool {
        required.contains(path) || optional.contains(path) || isWeights(path)
    }

    /// The file name when `path` lies directly in visual/ or textual/.
    private static func towerFile(_ path: String) -> Substring? {
        let parts = path.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2, parts[0] == "visual" || parts[0] == "textual" else { return nil }
        return parts[1]
    }

    /// model.onnx's external weights as the ONNX exporters name them: model.onnx_data, model.onnx.data….
    private static func isExternalData(_ name: Substring) -> Bool {
        name.hasPrefix("model.onnx_data") || name.hasPrefix("model.onnx.data")
    }
}
