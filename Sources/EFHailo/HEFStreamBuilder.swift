// Turns a core op's boundary edge layers into HailoRT's vstream infos: the BOUNDARY filter, mux
// and planes expansion, the format-code table, data_bytes → type, the transposition swap,
// shapes by order, NMS shapes and frame sizes, and the quantization rules of `fill_layer_info`
// (per-feature scales only with OUTPUT_SCALE_PER_FEATURE, and only for outputs).

import EFCore

struct HEFStreamBuilder {
    /// Extensions present in the file (required and optional).
    var perFeatureQuant: Bool
    var transposedNet: Bool
    var networks: [String]
    var warnings: [String] = []

    /// `edge_connection_type` BOUNDARY: only these edge layers are model inputs and outputs.
    static let boundary = 0
    static let hostToDevice = 0

    /// The vstreams of one boundary edge layer (a mux expands to its leaf predecessors).
    mutating func streams(_ edge: ProtoEdgeLayer) throws -> [HEFStream] {
        let direction = edge.direction == Self.hostToDevice ? "input" : "output"
        let network = networks.indices.contains(edge.networkIndex) ? networks[edge.networkIndex] : networks[0]
        return try leaves(edge.layer).map { try stream($0, direction: direction, network: network) }
    }

    private func leaves(_ layer: ProtoLayer, depth: Int = 0) throws -> [ProtoLayer] {
        guard layer.kind == .mux else { return [layer] }
        guard depth < 16 else { throw EdgeflowError(.invalidModel, "HEF proto: mux layers nested too deep") }
        return try layer.predecessors.flatMap { try leaves($0, depth: depth + 1) }
    }

    private mutating func stream(_ layer: ProtoLayer, direction: String, network: String) throws -> HEFStream {
        let base = layer.kind == .planes ? (layer.predecessors.first?.base ?? layer.base) : layer.base
        var shape = [layer.base.height, layer.base.width, layer.base.features]
        var hwShape = [base.paddedHeight, base.paddedWidth, base.paddedFeatures]
        let orders = HEFFormats.orders[base.format]
        if orders == nil { warnings.append("\(layer.name): unknown format code \(base.format)") }
        var deviceOrder = orders?.device ?? "UNKNOWN(\(base.format))"
        var hostOrder = orders?.host ?? deviceOrder
        if layer.kind == .planes {
            deviceOrder = "PLANES"
            hostOrder = "PLANES(\(layer.predecessors.count))"
        }
        let transposed = (transposedNet || layer.transposed) && deviceOrder != "NC"
        if transposed {
            shape.swapAt(0, 1)
            hwShape.swapAt(0, 1)
        }
        if base.hostArgmax { warnings.append("\(layer.name): host_argmax is set (HailoRT 4.23 refuses such HEFs)") }
        var formatType = HEFFormats.formatType(dataBytes: base.dataBytes) ?? "UINT8"
        if HEFFormats.formatType(dataBytes: base.dataBytes) == nil {
            warnings.append("\(layer.name): data_bytes \(base.dataBytes) is neither 1 nor 2; shown as UINT8")
        }
        var nms: HEFNMS?
        var frameBytes: Int
        if base.format == HEFFormats.nmsCode, let info = base.nms {
            let division = max(1, info.divisionFactor)
            let perClass = try CheckedSize.multiply(info.maxOutputSize, division, "HEF NMS '\(layer.name)' max bboxes")
            nms = HEFNMS(classes: info.classes, maxBboxesPerClass: perClass, bboxSize: info.bboxSize,
                         divisionFactor: division, burstSize: info.burstSize, burstType: info.burstType)
            formatType = "FLOAT32"
            shape = [info.classes, 5, perClass]
            frameBytes = try Self.nmsFrameBytes(classes: info.classes, maxBboxesPerClass: perClass, what: layer.name)
        } else {
            shape = hostOrder == "NC" ? [shape[2]] : hostOrder == "NHW" ? [shape[0], shape[1]] : shape
            frameBytes = try CheckedSize.product(shape + [formatType == "UINT16" ? 2 : 1],
                                                 "HEF stream '\(layer.name)' frame size")
        }
        return HEFStream(name: layer.name, network: network, direction: direction, formatType: formatType,
                         order: hostOrder, shape: shape, deviceOrder: deviceOrder, formatCode: base.format,
                         hwShape: hwShape, frameBytes: frameBytes, transposed: transposed,
                         originalNames: layer.originalNames,
                         quantization: layer.kind == .info ? quantization(layer, direction: direction) : nil,
                         nms: nms)
    }

    /// HailoRT's NMS-by-class host frame: per class a float count and `maxBboxesPerClass` boxes.
    static func nmsFrameBytes(classes: Int, maxBboxesPerClass: Int, what: String) throws -> Int {
        let boxes = try CheckedSize.multiply(maxBboxesPerClass, HEFFormats.nmsBboxBytes, "HEF NMS '\(what)' frame")
        return try CheckedSize.multiply(classes, try CheckedSize.add(boxes, 4, "HEF NMS '\(what)' frame"),
                                        "HEF NMS '\(what)' frame")
    }

    private mutating func quantization(_ layer: ProtoLayer, direction: String) -> HEFQuantization {
        let info = layer.numeric
        var quant = HEFQuantization(scale: Double(info.scale), zeroPoint: Double(info.zeroPoint),
                                    limvalsMin: Double(info.limvalsMin), limvalsMax: Double(info.limvalsMax),
                                    perChannelScales: nil, perChannelZeroPoints: nil, rule: "scalar qp_scale/qp_zp")
        let features = layer.base.format == HEFFormats.nmsCode ? 2 : layer.base.features
        if direction == "input" {
            let distinct = Set(info.scales).count > 1 || Set(info.zeroPoints).count > 1
            if distinct {
                warnings.append("\(layer.name): different quantization per feature on an input "
                                + "(HailoRT refuses: not allowed for input streams)")
            }
            quant.rule = "scalar (inputs always use one quantization)"
            return quant
        }
        guard perFeatureQuant else {
            quant.rule = "scalar (no OUTPUT_SCALE_PER_FEATURE extension; qp_scales/qp_zps ignored)"
            return quant
        }
        switch (info.scales.count, info.zeroPoints.count) {
        case (features, features):
            quant.perChannelScales = info.scales
            quant.perChannelZeroPoints = info.zeroPoints
            quant.rule = "per feature (OUTPUT_SCALE_PER_FEATURE): \(features) scales and zero points"
        case (features, 0):
            quant.perChannelScales = info.scales
            quant.perChannelZeroPoints = []
            quant.rule = "per-channel scale: \(features) values, shared zp (OUTPUT_SCALE_PER_FEATURE, "
                + "empty qp_zps; HailoRT 5 accepts, 4.23 refuses)"
        case (0, 0):
            quant.rule = "scalar (OUTPUT_SCALE_PER_FEATURE with empty vectors; HailoRT 5 falls back, 4.23 refuses)"
        default:
            quant.rule = "scalar (invalid per-feature vectors: \(info.scales.count) scales, "
                + "\(info.zeroPoints.count) zero points for \(features) features)"
            warnings.append("\(layer.name): invalid quantization infos vector in HEF (HailoRT refuses)")
        }
        return quant
    }
}
