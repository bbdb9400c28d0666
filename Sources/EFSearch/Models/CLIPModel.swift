// A CLIP model ready to embed: the visual executable (and the textual one, when the folder has
// it), the visual preprocessing, and the tokenizer: the folder's textual/tokenizer.json when it
// has one (as Immich), else the bundled OpenAI CLIP BPE. Embeddings come back L2-normalized, so
// an inner product is a cosine.

import EdgeflowRuntime
import EFCore
import EFMedia
import EFText
import Foundation

/// A loaded CLIP model.
public final class CLIPModel: @unchecked Sendable {
    public let folder: CLIPFolder
    public let visual: EdgeflowModel
    /// `visual`, with the same tower compiled for a batch of images beside it when there is one.
    public let visualRuns: BatchedModel
    public let textual: EdgeflowModel?
    /// The visual preprocessing: shortest side to the input size, centre crop, the folder's mean/std.
    public let recipe: PreprocessRecipe
    /// True when `visual` is the folder's int8 image tower: its vectors are stored and searched
    /// under `embeddingName`, apart from the fp32 tower's.
    public let visualIsInt8: Bool
    /// Identifies the weights, so vectors of different weights under one name are never mixed.
    public let fingerprint: String
    private let tokenizer: CLIPTokenizer
    /// The folder's tokenizer.json tokenizer, used instead of `tokenizer` when present.
    private let folderTokenizer: ImmichTextTokenizer?
    /// The text tower's token-id input, and the attention mask beside it for M-CLIP towers
    /// (Immich's XLM-Roberta and LaBSE models take `input_ids` and `attention_mask`).
    private let idsInput: TensorDescriptor?, maskInput: TensorDescriptor?

    /// Loads the executables of `folder` (compiled beforehand); `visualIsInt8` says `visual` is the
    /// folder's int8 image tower (`CLIPFolder.visualInt8Executable`); `visualBatch` is the same
    /// image tower compiled for a batch of B ≥ 2 images ([B, 3, S, S] → [B, D]), if any.
    /// - Throws: `EdgeflowError` from loading; `.invalidModel` when the towers' inputs or
    ///   outputs do not look like CLIP's (one image input [1, 3, S, S] float32; one
    ///   [1, D] float32 output; the text input int32 or int64 [1, L], L the config's context
    ///   length when the folder has a tokenizer.json); what `ImmichTextTokenizer` throws for the
    ///   folder's tokenizer.json (`.invalidModel` naming the bad field, `.unsupported` naming an
    ///   unknown component); `BatchedModel`'s `.invalidModel` for a `visualBatch` of another shape.
    public init(folder: CLIPFolder, visual: EdgeflowModel, textual: EdgeflowModel?, visualIsInt8: Bool = false,
                visualBatch: EdgeflowModel? = nil) throws {
        self.folder = folder
        self.visual = visual
        self.visualIsInt8 = visualIsInt8
        self.textual = textual
        var recipe = PreprocessRecipe.clip(size: folder.imageSize)
        recipe.normalization.mean = folder.mean
        recipe.normalization.std = folder.std
        self.recipe = recipe
        tokenizer = try CLIPTokenizer.bundled()
        let image = [1, 3, folder.imageSize, folder.imageSize]
        guard visual.inputs.count == 1, visual.inputs[0].dtype == .float32, visual.inputs[0].shape == image else {
            throw EdgeflowError(.invalidModel, "\(folder.name): the visual tower takes "
                                    + Self.describe(visual.inputs)
                                    + ", not one float32\(image)")
        }
        for tower in [visual] + (textual.map { [$0] } ?? []) {
            guard let output = tower.outputs.first, output.dtype == .float32,
                  output.shape == [1, folder.dimension] else {
                throw EdgeflowError(.invalidModel, "\(folder.name): a tower's output is "
                                        + Self.describe(tower.outputs)
                                        + ", not float32[1, \(folder.dimension)]")
            }
        }
        visualRuns = try BatchedModel(single: visual, batch: visualBatch)
        (idsInput, maskInput) = try textual.map { try Self.textInputs($0, folder.name) } ?? (nil, nil)
        if textual != nil, folder.hasTokenizerJSON {
            let tokenizer = try ImmichTextTokenizer(folder: folder.url, contextLength: folder.contextLength,
                                                    canonicalize: folder.canonicalize)
            if let length = idsInput?.shape[1], length != folder.contextLength {
                throw EdgeflowError(.invalidModel, "\(folder.name): the text tower takes \(length) ids but "
                                        + "config.json's text_cfg.context_length is \(folder.contextLength)")
            }
            folderTokenizer = tokenizer
        } else {
            folderTokenizer = nil
        }
        let provenance = [visual, textual].compactMap { $0?.manifest.provenance.sourceModelSHA256 }
        let weights = provenance.isEmpty ? "\(folder.name)@\(visual.fileSize)" : provenance.joined(separator: "+")
        // Each calibration gives other int8 weights: the executable's creation time tells them apart.
        fingerprint = visualIsInt8 ? weights + "+int8@" + visual.manifest.provenance.created : weights
    }

    /// The name the photo vectors are stored and searched under: the folder's name, with "+int8"
    /// when the image tower is the int8 one (its vectors are a model of their own, never mixed
    /// with the fp32 tower's).
    public var embeddingName: String { visualIsInt8 ? folder.name + "+int8" : folder.name }

    /// True when queries are tokenized by the folder's textual/tokenizer.json (false: the
    /// bundled OpenAI CLIP BPE).
    public var usesTokenizerJSON: Bool { folderTokenizer != nil }

    /// The embedding dimension.
    public var dimension: Int { folder.dimension }

    /// The visual input for one decoded photo.
    public func imageTensor(_ image: PixelImage) throws -> Tensor {
        let prepared = try recipe.apply(to: image)
        return try TensorPacker.makeTensor(prepared, layout: .nchwFloat32, normalization: recipe.normalization,
                                           budget: .image())
    }

    /// The normalized embedding of one visual input made by `imageTensor`.
    public func embed(imageTensor: Tensor) throws -> [Float] {
        try embed(imageTensors: [imageTensor])[0]
    }

    /// The normalized embeddings of visual inputs made by `imageTensor`, in order: full batches
    /// on the batch executable when there is one, the rest one by one (equal within float rounding).
    /// - Throws: `EdgeflowError.invalidInput` for a tensor of another shape; `.invalidModel` for
    ///   an output that cannot be normalized; the executables' errors.
    public func embed(imageTensors: [Tensor]) throws -> [[Float]] {
        try visualRuns.run(imageTensors).map { try Self.normalized($0, what: "\(folder.name) visual output") }
    }

    /// The normalized embedding of `text`, and whether it was cut to the context length (as CLIP does).
    /// With the folder's tokenizer.json the text is first cleaned as Immich cleans it. `language`
    /// (a locale of Immich's web page) matters only to NLLB-CLIP folders (named "nllb…" with a
    /// tokenizer.json): its FLORES-200 code goes before the text, English for an unknown locale.
    /// - Throws: `EdgeflowError.unsupported` when the folder has no text tower; `.invalidInput`
    ///   for an empty text or one over the tokenizer's byte limit (or, for a Unigram tokenizer
    ///   without an unknown token, a character it cannot represent).
    public func embed(text: String, language: String? = nil) throws -> (vector: [Float], truncated: Bool) {
        guard let textual else {
            throw EdgeflowError(.unsupported, "\(folder.name) has no text tower (textual/model.onnx)")
        }
        let (inputs, truncated) = try textInputs(text, language: language)
        let outputs = try textual.run(inputs)
        return (try Self.normalized(outputs[textual.outputs[0].name], what: "\(folder.name) text output"), truncated)
    }

    /// The text tower's inputs for `text` (and `language`, as `embed(text:language:)`): its token
    /// ids as the tower takes them (int32 or int64 [1, context length]), with the attention mask
    /// (1 for each id before the padding, 0 after) for an M-CLIP tower, and whether the text was
    /// cut to fit.
    /// - Throws: as `embed(text:language:)`.
    public func textInputs(_ text: String, language: String? = nil) throws
        -> (inputs: [String: Tensor], truncated: Bool) {
        guard let idsInput else {
            throw EdgeflowError(.unsupported, "\(folder.name) has no text tower (textual/model.onnx)")
        }
        guard !text.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else {
            throw EdgeflowError(.invalidInput, "the query text is empty")
        }
        let tokens: TokenizedText
        let ids: [Int32]
        if let folderTokenizer {
            let prefix = language.flatMap { NLLBLanguage.usesPrefix(modelName: folder.name)
                ? NLLBLanguage.floresCode(forLocale: $0).code : nil } ?? ""
            tokens = try folderTokenizer.tokenize(text, prefix: prefix)
            ids = tokens.ids
        } else {
            tokens = try tokenizer.tokenize(text, contextLength: idsInput.shape[1])
            // Immich's exports pad with the end token (the tokenizer's pad token), not with zeros.
            ids = tokens.ids.enumerated().map { $0.offset < tokens.length ? $0.element : tokenizer.endToken }
        }
        var inputs = [idsInput.name: Self.tensor(ids, like: idsInput)]
        if let maskInput {
            inputs[maskInput.name] = Self.tensor(ids.indices.map { $0 < tokens.length ? 1 : 0 }, like: maskInput)
        }
        return (inputs, tokens.truncated)
    }

    /// `values` as an int32 or int64 tensor of `descriptor`'s dtype and shape.
    private static func tensor(_ values: [Int32], like descriptor: TensorDescriptor) -> Tensor {
        descriptor.dtype == .int32 ? Tensor(shape: descriptor.shape, scalars: values)
            : Tensor(shape: descriptor.shape, scalars: values.map(Int64.init))
    }

    /// The token-id input of a text tower, and its attention-mask input when it has the M-CLIP pair.
    /// - Throws: `EdgeflowError.invalidModel` unless the tower takes one int32/int64 [1, L] input,
    ///   or `input_ids` and `attention_mask` of that kind and the same L.
    private static func textInputs(_ textual: EdgeflowModel, _ name: String) throws
        -> (TensorDescriptor, TensorDescriptor?) {
        let inputs = textual.inputs
        let valid = inputs.allSatisfy {
            [.int32, .int64].contains($0.dtype) && $0.shape.count == 2 && $0.shape[0] == 1
                && (2...CLIPTokenizer.maxContextLength).contains($0.shape[1]) && $0.shape[1] == inputs[0].shape[1]
        }
        if valid, inputs.count == 1 { return (inputs[0], nil) }
        if valid, inputs.count == 2, let ids = inputs.first(where: { $0.name == "input_ids" }),
           let mask = inputs.first(where: { $0.name == "attention_mask" }) {
            return (ids, mask)
        }
        throw EdgeflowError(.invalidModel, "\(name): the text tower takes " + describe(inputs)
                                + ", not token ids int32/int64[1, L] (or M-CLIP's input_ids and attention_mask)")
    }

    /// "float32[1, 512], …" for error messages.
    private static func describe(_ tensors: [TensorDescriptor]) -> String {
        tensors.map { "\($0.dtype.rawValue)\($0.shape)" }.joined(separator: ", ")
    }

    /// `tensor`'s values scaled to unit length.
    /// - Throws: `EdgeflowError.invalidModel` for a missing, non-finite or zero output.
    public static func normalized(_ tensor: Tensor?, what: String) throws -> [Float] {
        guard let tensor, tensor.dtype == .float32 else { throw EdgeflowError(.invalidModel, "\(what) is missing") }
        let values: [Float] = tensor.scalars()
        let norm = values.reduce(0.0) { $0 + Double($1) * Double($1) }.squareRoot()
        guard norm.isFinite, norm > 0 else {
            throw EdgeflowError(.invalidModel, "\(what) has norm \(norm): it cannot be normalized")
        }
        return values.map { Float(Double($0) / norm) }
    }
}
