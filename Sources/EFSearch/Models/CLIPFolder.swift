// A CLIP model folder in the layout Immich's model repositories use on Hugging Face:
//   NAME/config.json                 open_clip config (embed_dim, vision_cfg.image_size, …)
//   NAME/visual/model.onnx           image → embedding; visual/preprocess_cfg.json: size, mean, std
//   NAME/textual/model.onnx          token ids ("text", int32 [1, 77]) → embedding
//   NAME/textual/tokenizer.json      Hugging Face tokenizer (with tokenizer_config.json): when present it
//                                    tokenizes queries, as Immich always uses it; else OpenAI's CLIP BPE
// Compiled executables are kept beside the ONNX files (visual/model.efx, textual/model.efx).
// This file reads the folder's description; compiling is the caller's (build-side) job.

import EFCore
import Foundation

/// What a CLIP model folder holds.
public struct CLIPFolder: Sendable {
    /// The folder's name, e.g. "ViT-B-32__openai" (the model's name in the library).
    public var name: String
    public var url: URL
    /// The embedding dimension from config.json.
    public var dimension: Int
    /// The square input size, mean and std of the visual tower's preprocessing.
    public var imageSize: Int
    public var mean: [Double]
    public var std: [Double]
    /// config.json's text_cfg.context_length (Immich's default 77): the ids per query.
    public var contextLength: Int
    /// config.json's text_cfg.tokenizer_kwargs.clean == "canonicalize": queries lose ASCII
    /// punctuation and are lowercased before tokenizing (Immich's clean_text).
    public var canonicalize: Bool

    public var visualONNX: URL { url.appendingPathComponent("visual/model.onnx") }
    public var textualONNX: URL { url.appendingPathComponent("textual/model.onnx") }
    public var visualExecutable: URL { url.appendingPathComponent("visual/model.efx") }
    public var textualExecutable: URL { url.appendingPathComponent("textual/model.efx") }
    /// The int8 text tower `edgeflow models quantize` writes; used for queries when present.
    public var textualInt8Executable: URL { url.appendingPathComponent(Self.textualInt8Path) }
    /// `textualInt8Executable` relative to a model folder.
    public static let textualInt8Path = "textual/model.int8.efx"
    /// The int8 image tower `edgeflow models quantize --tower visual` writes; the photo verbs embed
    /// photos with it when present (as a model of its own, `CLIPModel.embeddingName`).
    public var visualInt8Executable: URL { url.appendingPathComponent(Self.visualInt8Path) }
    /// `visualInt8Executable` relative to a model folder.
    public static let visualInt8Path = "visual/model.int8.efx"
    public var tokenizerJSON: URL { url.appendingPathComponent("textual/tokenizer.json") }

    /// True when the text tower comes with a Hugging Face tokenizer.json (used instead of the
    /// bundled OpenAI CLIP BPE, as Immich does).
    public var hasTokenizerJSON: Bool { FileManager.default.fileExists(atPath: tokenizerJSON.path) }

    /// Reads the folder at `url`.
    /// - Throws: `EdgeflowError.io` naming the missing file; `.invalidModel` for a config that
    ///   is not JSON or holds values out of range.
    public init(url: URL) throws {
        self.url = url.standardizedFileURL
        name = self.url.lastPathComponent
        let config = try Self.json(url.appendingPathComponent("config.json"))
        guard let dimension = config["embed_dim"] as? Int, (1...65536).contains(dimension) else {
            throw EdgeflowError(.invalidModel, "\(url.path)/config.json: embed_dim is missing or outside 1...65536")
        }
        self.dimension = dimension
        let text = config["text_cfg"] as? [String: Any] ?? [:]
        let context = text["context_length"] ?? 77
        guard let context = context as? Int, (2...4096).contains(context) else {
            throw EdgeflowError(.invalidModel, "\(url.path)/config.json: text_cfg.context_length is not in 2...4096")
        }
        contextLength = context
        canonicalize = (text["tokenizer_kwargs"] as? [String: Any])?["clean"] as? String == "canonicalize"
        let preprocessURL = url.appendingPathComponent("visual/preprocess_cfg.json")
        let preprocess = FileManager.default.fileExists(atPath: preprocessURL.path) ? try Self.json(preprocessURL) : [:]
        let vision = config["vision_cfg"] as? [String: Any] ?? [:]
        let size = (preprocess["size"] as? [Int])?.first ?? preprocess["size"] as? Int ?? vision["image_size"] as? Int
        guard let size, (8...4096).contains(size) else {
            throw EdgeflowError(.invalidModel,
                                "\(url.path): no image size in visual/preprocess_cfg.json or config.json")
        }
        imageSize = size
        mean = preprocess["mean"] as? [Double] ?? [0.48145466, 0.4578275, 0.40821073]
        std = preprocess["std"] as? [Double] ?? [0.26862954, 0.26130258, 0.27577711]
        guard mean.count == 3, std.count == 3, std.allSatisfy({ $0 > 0 && $0.isFinite }),
              mean.allSatisfy(\.isFinite) else {
            throw EdgeflowError(.invalidModel, "\(url.path)/visual/preprocess_cfg.json: mean and std need 3 values "
                                    + "each, std positive")
        }
        guard FileManager.default.fileExists(atPath: visualONNX.path)
                || FileManager.default.fileExists(atPath: visualExecutable.path) else {
            throw EdgeflowError(.io, "\(url.path) has no visual/model.onnx",
                                hint: "a CLIP folder holds visual/model.onnx and textual/model.onnx (Immich's layout)")
        }
    }

    /// True when the folder has a text tower.
    public var hasTextual: Bool {
        FileManager.default.fileExists(atPath: textualONNX.path)
            || FileManager.default.fileExists(atPath: textualExecutable.path)
    }

    private static func json(_ url: URL) throws -> [String: Any] {
        guard let data = FileManager.default.contents(atPath: url.path) else {
            throw EdgeflowError(.io, "cannot read \(url.path)")
        }
        guard data.count < 1 << 20, let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any] else {
            throw EdgeflowError(.invalidModel, "\(url.path) is not a JSON object (of at most 1 MiB)")
        }
        return object
    }
}
