// What `edgeflow inspect` shows about a Hailo HEF, as one Codable value: the header and its
// checksums, the compiler version and target, and per network group its contexts, inputs and
// outputs (shape, format, order, quantization, NMS) and host-side post-process operations.

/// Everything Edgeflow reads from a HEF file.
public struct HEFDescription: Codable, Equatable, Sendable {
    /// The name the file was opened under (a path, usually).
    public var label: String
    public var fileSize: Int
    public var header: HEFHeader
    /// The Dataflow Compiler version string (`ProtoHEFHeader.sdk_version`).
    public var sdkVersion: String
    /// `ProtoHEFHeader.version` (independent of the header version).
    public var protoVersion: Int
    /// Compilation time in milliseconds since 1970, when recorded.
    public var timestamp: UInt64?
    public var architecture: HEFArchitecture
    public var extensions: [HEFExtension]
    public var optionalExtensions: [HEFExtension]
    /// Bytes of the compiler's opaque `mapping` field (0 when stripped).
    public var mappingBytes: Int
    /// Network groups in HailoRT's order (by name).
    public var networkGroups: [HEFNetworkGroup]
    /// Things HailoRT would refuse or that Edgeflow could not interpret.
    public var warnings: [String]
}

/// The target chip.
public struct HEFArchitecture: Codable, Equatable, Sendable {
    /// `ProtoHEFHwArch` value.
    public var code: Int
    /// The enum's name, e.g. `HAILO8P`.
    public var name: String
    /// What HailoRT 4.23 prints ("Architecture HEF was compiled for"), e.g. `HAILO8`.
    public var hailort4: String
    /// The compatible device list HailoRT 5 prints, e.g. `HAILO15H, HAILO10H`.
    public var hailort5: String
}

/// An entry of `extensions` (required) or `optional_extensions`.
public struct HEFExtension: Codable, Equatable, Sendable {
    public var type: Int
    public var name: String
}

/// One network group (a core op with its post-process).
public struct HEFNetworkGroup: Codable, Equatable, Sendable {
    public var name: String
    public var index: Int
    /// Dynamic contexts; more than one means a multi-context group.
    public var contexts: Int
    /// Networks, as `<group>/<network>`.
    public var networks: [String]
    public var bottleneckFPS: Double?
    public var latencySeconds: Double?
    /// Partial layouts of a multi-layout (Hailo-8L / 15M) group; the first is described.
    public var partialLayouts: Int
    /// Input vstreams in edge-layer order.
    public var inputs: [HEFStream]
    /// Output vstreams in HailoRT's sorted order.
    public var outputs: [HEFStream]
    public var operations: [HEFOperation]
}

/// One input or output (a HailoRT vstream) with its device-side stream.
public struct HEFStream: Codable, Equatable, Sendable {
    public var name: String
    public var network: String
    /// `input` or `output`.
    public var direction: String
    /// The host-side format: `UINT8`, `UINT16` or `FLOAT32`.
    public var formatType: String
    /// The default host order, e.g. `NHWC`, `NC`, `HAILO NMS BY CLASS`.
    public var order: String
    /// The unpadded shape (height, width, features); NC is [features], NHW [height, width].
    public var shape: [Int]
    /// The device stream's order (from the format code) and padded (hw) shape.
    public var deviceOrder: String
    public var formatCode: Int
    public var hwShape: [Int]
    /// Host frame size in bytes.
    public var frameBytes: Int
    public var transposed: Bool
    /// Source-graph names (`original_names`).
    public var originalNames: [String]
    public var quantization: HEFQuantization?
    public var nms: HEFNMS?
}

/// Quantization: dequantize as `(q − zeroPoint) · scale`.
public struct HEFQuantization: Codable, Equatable, Sendable {
    public var scale: Double
    public var zeroPoint: Double
    public var limvalsMin: Double
    public var limvalsMax: Double
    /// Per-feature scales and zero points when HailoRT uses them (outputs of a HEF with the
    /// OUTPUT_SCALE_PER_FEATURE extension); an empty zero-point list means the scalar is shared.
    public var perChannelScales: [Double]?
    public var perChannelZeroPoints: [Double]?
    /// Which HailoRT rule applied, in words.
    public var rule: String
}

/// On-chip NMS output (`ProtoHEFNmsInfo`) or a host post-process NMS output.
public struct HEFNMS: Codable, Equatable, Sendable {
    public var classes: Int
    public var maxBboxesPerClass: Int
    public var bboxSize: Int
    public var divisionFactor: Int
    public var burstSize: Int
    public var burstType: Int
}

/// A host-side post-process op of a net-flow network group.
public struct HEFOperation: Codable, Equatable, Sendable {
    public var name: String
    /// `NMS` or `Logits`.
    public var kind: String
    /// parse-hef's description lines, e.g. `Score threshold: 0.200`.
    public var details: [String]
    public var inputs: [String]
    public var outputs: [String]
}
