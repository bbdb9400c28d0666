// Decodes HEF edge layers (`ProtoHEFEdgeLayer` and the info/mux/planes layers inside it), their
// `ProtoHEFEdgeLayerBase` shapes and formats, quantization (`ProtoHEFEdgeLayerNumericInfo`) and
// on-chip NMS info. Field numbers follow HailoRT's hef.proto.

enum HEFLayerDecoder {
    /// `ProtoHEFEdgeLayer`: direction 1, oneof layer_info 3 / layer_mux 4 / layer_planes 8,
    /// context_switch_info 5 (edge_connection_type is its field 3), network_index 6, pad_index 7.
    static func edgeLayer(_ message: HEFWireReader) throws -> ProtoEdgeLayer {
        var reader = message
        var edge = ProtoEdgeLayer()
        while let (field, wire) = try reader.nextField() {
            switch (field, wire) {
            case (1, 0): edge.direction = try reader.readInt("direction")
            case (3, 2): edge.layer = try layer(reader.readMessage("layer_info"), kind: .info)
            case (4, 2): edge.layer = try layer(reader.readMessage("layer_mux"), kind: .mux)
            case (8, 2): edge.layer = try layer(reader.readMessage("layer_planes"), kind: .planes)
            case (5, 2):
                var info = try reader.readMessage("context_switch_info")
                while let (inner, innerWire) = try info.nextField() {
                    if inner == 3, innerWire == 0 {
                        edge.connectionType = try info.readInt("edge_connection_type")
                    } else {
                        try info.skip(wireType: innerWire)
                    }
                }
            case (6, 0): edge.networkIndex = try reader.readInt("network_index")
            case (7, 0): edge.padIndex = try reader.readInt("pad_index")
            default: try reader.skip(wireType: wire)
            }
        }
        return edge
    }

    /// `ProtoHefEdge`: one of layer_info 1, layer_mux 2, layer_planes 3.
    static func edge(_ message: HEFWireReader) throws -> ProtoLayer? {
        var reader = message
        var result: ProtoLayer?
        while let (field, wire) = try reader.nextField() {
            switch (field, wire) {
            case (1, 2): result = try layer(reader.readMessage("layer_info"), kind: .info)
            case (2, 2): result = try layer(reader.readMessage("layer_mux"), kind: .mux)
            case (3, 2): result = try layer(reader.readMessage("layer_planes"), kind: .planes)
            default: try reader.skip(wireType: wire)
            }
        }
        return result
    }

    /// `ProtoHEFEdgeLayerInfo` (name 1, base 2, numeric_info 3, hn_output_layer_name 4,
    /// original_names 5, transposed 6), `…Mux` (name 1, base 2, hn_output_layer_name 4,
    /// predecessors 5, original_names 6) or `…Planes` (name 1, planes 3, height 4, width 5,
    /// features 6).
    static func layer(_ message: HEFWireReader, kind: ProtoLayer.Kind) throws -> ProtoLayer {
        var reader = message
        var layer = ProtoLayer()
        layer.kind = kind
        while let (field, wire) = try reader.nextField() {
            switch (kind, field, wire) {
            case (_, 1, 2): layer.name = try reader.readString()
            case (.info, 2, 2), (.mux, 2, 2): layer.base = try base(reader.readMessage("edge_layer_base"))
            case (.info, 3, 2): layer.numeric = try numeric(reader.readMessage("numeric_info"))
            case (.info, 4, 2), (.mux, 4, 2): layer.hnOutputName = try reader.readString()
            case (.info, 5, 2), (.mux, 6, 2): layer.originalNames.append(try reader.readString())
            case (.info, 6, 0): layer.transposed = try reader.readBool()
            case (.mux, 5, 2), (.planes, 3, 2):
                if let predecessor = try edge(reader.readMessage(kind == .mux ? "predecessors" : "planes")) {
                    layer.predecessors.append(predecessor)
                }
            case (.planes, 4, 0): layer.base.height = try reader.readInt("height")
            case (.planes, 5, 0): layer.base.width = try reader.readInt("width")
            case (.planes, 6, 0): layer.base.features = try reader.readInt("features")
            default: try reader.skip(wireType: wire)
            }
        }
        return layer
    }

    /// `ProtoHEFEdgeLayerBase`: shapes 1–6, format 7, sys_index 8, additional_info 11
    /// (nms_info 1), data_bytes 12, host_argmax 14.
    static func base(_ message: HEFWireReader) throws -> ProtoLayerBase {
        var reader = message
        var base = ProtoLayerBase()
        while let (field, wire) = try reader.nextField() {
            switch (field, wire) {
            case (1, 0): base.height = try reader.readInt("height")
            case (2, 0): base.paddedHeight = try reader.readInt("padded_height")
            case (3, 0): base.width = try reader.readInt("width")
            case (4, 0): base.paddedWidth = try reader.readInt("padded_width")
            case (5, 0): base.features = try reader.readInt("features")
            case (6, 0): base.paddedFeatures = try reader.readInt("padded_features")
            case (7, 0): base.format = try reader.readInt("format")
            case (8, 0): base.sysIndex = try reader.readInt("sys_index")
            case (11, 2):
                var info = try reader.readMessage("additional_info")
                while let (inner, innerWire) = try info.nextField() {
                    if inner == 1, innerWire == 2 {
                        base.nms = try nmsInfo(info.readMessage("nms_info"))
                    } else {
                        try info.skip(wireType: innerWire)
                    }
                }
            case (12, 0): base.dataBytes = try reader.readInt("data_bytes")
            case (14, 0): base.hostArgmax = try reader.readBool()
            default: try reader.skip(wireType: wire)
            }
        }
        return base
    }

    /// `ProtoHEFEdgeLayerNumericInfo`: qp_zp 1, qp_scale 2, limvals_min 3, limvals_max 4 (floats);
    /// qp_zps 5 and qp_scales 6 (repeated doubles, packed or not).
    static func numeric(_ message: HEFWireReader) throws -> ProtoNumericInfo {
        var reader = message
        var info = ProtoNumericInfo()
        while let (field, wire) = try reader.nextField() {
            switch (field, wire) {
            case (1, 5): info.zeroPoint = try reader.readFloat()
            case (2, 5): info.scale = try reader.readFloat()
            case (3, 5): info.limvalsMin = try reader.readFloat()
            case (4, 5): info.limvalsMax = try reader.readFloat()
            case (5, 1), (5, 2): try reader.readDoubles(wireType: wire, into: &info.zeroPoints)
            case (6, 1), (6, 2): try reader.readDoubles(wireType: wire, into: &info.scales)
            default: try reader.skip(wireType: wire)
            }
        }
        return info
    }

    /// `ProtoHEFNmsInfo`: type_index 1, number_of_classes 2, max_output_size 3, bbox_size 4,
    /// is_defused 5, defuse_info 6 (original_name 3), input_division_factor 7, burst_size 8,
    /// burst_type 9.
    static func nmsInfo(_ message: HEFWireReader) throws -> ProtoNmsInfo {
        var reader = message
        var info = ProtoNmsInfo()
        while let (field, wire) = try reader.nextField() {
            switch (field, wire) {
            case (2, 0): info.classes = try reader.readInt("number_of_classes")
            case (3, 0): info.maxOutputSize = try reader.readInt("max_output_size")
            case (4, 0): info.bboxSize = try reader.readInt("bbox_size")
            case (5, 0): info.isDefused = try reader.readBool()
            case (6, 2):
                var defuse = try reader.readMessage("defuse_info")
                while let (inner, innerWire) = try defuse.nextField() {
                    if inner == 3, innerWire == 2 { info.originalName = try defuse.readString() } else {
                        try defuse.skip(wireType: innerWire)
                    }
                }
            case (7, 0): info.divisionFactor = try reader.readInt("input_division_factor")
            case (8, 0): info.burstSize = try reader.readInt("burst_size")
            case (9, 0): info.burstType = try reader.readInt("burst_type")
            default: try reader.skip(wireType: wire)
            }
        }
        return info
    }
}
