// What an .efx says about itself (its META section, JSON): the model's input and output
// contract, the CPU features it needs, and where it came from. docs/efx-format.md describes
// every field; readers ignore fields they do not know.

import EFCore

/// A model input or output as an executable declares it.
public struct TensorDescriptor: Codable, Equatable, Sendable {
    public var name: String
    public var dtype: DType
    public var shape: [Int]
    /// "nchw" or "nhwc" for image-like 4-D tensors the recipe or the compiler laid out, else "any".
    public var layout: String
    /// Quantization of an integer tensor (none for float tensors).
    public var quantization: QuantizationDescriptor?

    public init(name: String, dtype: DType, shape: [Int], layout: String = "any",
                quantization: QuantizationDescriptor? = nil) {
        self.name = name
        self.dtype = dtype
        self.shape = shape
        self.layout = layout
        self.quantization = quantization
    }

    /// Bytes of one tensor (the shape was checked when the executable was read).
    public var byteCount: Int { shape.elementCount * dtype.byteSize }
}

/// real = (q − zeroPoint) × scale, per tensor or per channel along `axis`.
public struct QuantizationDescriptor: Codable, Equatable, Sendable {
    public var scale: [Float]
    public var zeroPoint: [Int]
    public var axis: Int?
}

/// Where an executable came from.
public struct Provenance: Codable, Equatable, Sendable {
    /// The Edgeflow release that compiled it.
    public var edgeflowVersion: String
    /// The model file the archive was made from, and its SHA-256 (lowercase hex).
    public var sourceModel: String?
    public var sourceModelSHA256: String?
    /// The archive's stage when it was compiled ("native" archives are fp-optimized first).
    public var archiveStage: String
    /// The compile options, as given (e.g. "precision": "float32", "recipe": "clip").
    public var compileOptions: [String: String]
    /// When it was compiled, ISO 8601 in UTC.
    public var created: String

    public init(edgeflowVersion: String = EdgeflowVersion.current, sourceModel: String?, sourceModelSHA256: String?,
                archiveStage: String, compileOptions: [String: String], created: String) {
        self.edgeflowVersion = edgeflowVersion
        self.sourceModel = sourceModel
        self.sourceModelSHA256 = sourceModelSHA256
        self.archiveStage = archiveStage
        self.compileOptions = compileOptions
        self.created = created
    }
}

/// The META section.
public struct ExecutableManifest: Codable, Equatable, Sendable {
    /// Always "edgeflow-executable".
    public var format: String
    public var modelName: String
    public var inputs: [TensorDescriptor]
    public var outputs: [TensorDescriptor]
    /// /proc/cpuinfo flag names the program's kernels need (empty: any x86-64 CPU).
    public var requiredCPUFeatures: [String]
    public var provenance: Provenance
    /// Key/value text carried from the source model (ONNX `metadata_props`; e.g. PP-OCR's
    /// character dictionary under `character`); nil when the model had none.
    public var metadata: [String: String]?

    public static let formatName = "edgeflow-executable"

    public init(modelName: String, inputs: [TensorDescriptor], outputs: [TensorDescriptor],
                requiredCPUFeatures: [String], provenance: Provenance, metadata: [String: String]? = nil) {
        format = Self.formatName
        self.metadata = metadata
        self.modelName = modelName
        self.inputs = inputs
        self.outputs = outputs
        self.requiredCPUFeatures = requiredCPUFeatures
        self.provenance = provenance
    }
}

/// The RCPE section: the preprocessing an executable's single image input expects, so
/// `edgeflow run --image` and `EdgeflowModel.run(image:)` can feed it a photo.
public struct EmbeddedRecipe: Codable, Equatable, Sendable {
    /// An EFMedia recipe name (clip, siglip, letterbox, ocr-det, ocr-rec...) and its main size.
    public var name: String
    public var size: Int?
    /// "nchw-f32" (normalized floats) or "nhwc-u8" (bytes).
    public var tensorLayout: String
    /// Per-channel mean and std in 0…1 units, in R, G, B order, and the channel order fed.
    public var mean: [Double]
    public var std: [Double]
    public var channelOrder: String
    /// True when the normalization is part of the model: the input takes the resized bytes.
    public var normalizationInside: Bool

    public init(name: String, size: Int?, tensorLayout: String, mean: [Double], std: [Double], channelOrder: String,
                normalizationInside: Bool) {
        self.name = name
        self.size = size
        self.tensorLayout = tensorLayout
        self.mean = mean
        self.std = std
        self.channelOrder = channelOrder
        self.normalizationInside = normalizationInside
    }
}
