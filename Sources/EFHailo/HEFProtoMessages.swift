// The parts of HailoRT's `ProtoHEFHef` schema (hef.proto) that a parse-hef needs, as plain
// values. Field numbers are in HEFProtoDecoder*.swift; unknown and bulky fields are skipped.

/// `ProtoHEFHeader`.
struct ProtoHeader {
    var hwArch = 0
    var timestamp: UInt64 = 0
    var sdkVersion = ""
    var version = 0
    var sdkVersionNumbers: [Int] = []
}

/// `ProtoHEFEdgeLayerNumericInfo`.
struct ProtoNumericInfo {
    var zeroPoint: Float = 0
    var scale: Float = 0
    var limvalsMin: Float = 0
    var limvalsMax: Float = 0
    var zeroPoints: [Double] = []
    var scales: [Double] = []
}

/// `ProtoHEFNmsInfo`.
struct ProtoNmsInfo {
    var classes = 0
    var maxOutputSize = 0
    var bboxSize = 0
    var isDefused = false
    var originalName = ""
    var divisionFactor = 0
    var burstSize = 0
    var burstType = 0
}

/// `ProtoHEFEdgeLayerBase`.
struct ProtoLayerBase {
    var height = 0, paddedHeight = 0, width = 0, paddedWidth = 0, features = 0, paddedFeatures = 0
    var format = 0
    var sysIndex = 0
    var dataBytes = 0
    var nms: ProtoNmsInfo?
    var hostArgmax = false
}

/// `ProtoHEFEdgeLayerInfo`, `…Mux` and `…Planes` flattened: a leaf has no predecessors.
struct ProtoLayer {
    enum Kind: String { case info, mux, planes }
    var kind = Kind.info
    var name = ""
    var base = ProtoLayerBase()
    var numeric = ProtoNumericInfo()
    var hnOutputName = ""
    var originalNames: [String] = []
    var transposed = false
    var predecessors: [ProtoLayer] = []
}

/// `ProtoHEFEdgeLayer`.
struct ProtoEdgeLayer {
    var direction = 0
    var layer = ProtoLayer()
    var connectionType = 0
    var networkIndex = 0
    var padIndex: Int?
}

/// `ProtoHEFContext` with its metadata.
struct ProtoContext {
    var index = 0
    var edgeLayers: [ProtoEdgeLayer] = []
    var sortedOutputsOrder: [String] = []
}

/// `ProtoHEFNetworkGroupMetadata`.
struct ProtoGroupMetadata {
    var name = ""
    var index = 0
    var transposedNet = false
    var bottleneckFPS = 0.0
    var latency = 0.0
}

/// `ProtoHEFCoreOp`, or the legacy `ProtoHEFNetworkGroup` used as one.
struct ProtoCoreOp {
    var metadata = ProtoGroupMetadata()
    var contexts: [ProtoContext] = []
    var sortedOutputsOrder: [String] = []
    var fusedSortedOutputs: [String] = []
    var networksNames: [String] = []
    var partials: [ProtoCoreOp] = []
}

/// `ProtoHEFPad`.
struct ProtoPad {
    var index = 0
    var name = ""
    var formatOrder = 0
    var formatType = 0
    var numeric: ProtoNumericInfo?
    var shape: [Int] = []
    var nmsShape: [Int] = []
}

/// `ProtoHEFNmsOp` (the host-side post-process).
struct ProtoNmsOp {
    var scoreThreshold = 0.0
    var iouThreshold = 0.0
    var maxProposalsPerClass = 0
    var classes = 0
    var backgroundRemoval = false
    var backgroundRemovalIndex = 0
    var bboxDecodingOnly = false
    var kind = "unknown"
}

/// `ProtoHEFOp`.
struct ProtoOp {
    var name = ""
    var inputPads: [ProtoPad] = []
    var outputPads: [ProtoPad] = []
    var coreOp: ProtoCoreOp?
    var nms: ProtoNmsOp?
    var logitsType: Int?
}

/// `ProtoHEFNetworkGroup`: both the legacy shape (`legacy`) and the net-flow ops.
struct ProtoNetworkGroup {
    var legacy = ProtoCoreOp()
    var ops: [ProtoOp] = []
    var name = ""
    var index = 0
}

/// `ProtoHEFExtension` / `ProtoHEFOptionalExtension`.
struct ProtoExtension {
    var typeIndex = 0
    var name = ""
}

/// `ProtoHEFHef`.
struct ProtoHef {
    var header = ProtoHeader()
    var networkGroups: [ProtoNetworkGroup] = []
    var mappingBytes = 0
    var extensions: [ProtoExtension] = []
    var optionalExtensions: [ProtoExtension] = []
    var externalResources: [(name: String, offset: Int, size: Int)] = []
}
