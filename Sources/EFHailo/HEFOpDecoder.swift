// Decodes the net-flow form of a HEF network group: `ProtoHEFOp` (a core op, an NMS
// post-process or a logits op) and its `ProtoHEFPad`s. Field numbers follow HailoRT's hef.proto.

enum HEFOpDecoder {
    /// `ProtoHEFOp`: name 1, input_pads 2, output_pads 3, oneof core_op 4 / nms_op 5 / logits_op 6.
    static func op(_ message: HEFWireReader) throws -> ProtoOp {
        var reader = message
        var op = ProtoOp()
        while let (field, wire) = try reader.nextField() {
            switch (field, wire) {
            case (1, 2): op.name = try reader.readString()
            case (2, 2): op.inputPads.append(try pad(reader.readMessage("input_pads")))
            case (3, 2): op.outputPads.append(try pad(reader.readMessage("output_pads")))
            case (4, 2):
                op.coreOp = try HEFProtoDecoder.coreOp(reader.readMessage("core_op"), partialName: "partial_core_ops")
            case (5, 2): op.nms = try nmsOp(reader.readMessage("nms_op"))
            case (6, 2):
                var logits = try reader.readMessage("logits_op")
                var type = 0
                while let (inner, innerWire) = try logits.nextField() {
                    if inner == 1, innerWire == 0 { type = try logits.readInt("logits_type") } else {
                        try logits.skip(wireType: innerWire)
                    }
                }
                op.logitsType = type
            default: try reader.skip(wireType: wire)
            }
        }
        return op
    }

    /// `ProtoHEFPad`: index 1, name 2, format_order 3, numeric_info 5, tensor_shape 6
    /// (height 1, width 3, features 5), nms_shape 7 (classes 1, max bboxes per class 2,
    /// bbox size 3, division factor 4), format_type 8.
    static func pad(_ message: HEFWireReader) throws -> ProtoPad {
        var reader = message
        var pad = ProtoPad()
        while let (field, wire) = try reader.nextField() {
            switch (field, wire) {
            case (1, 0): pad.index = try reader.readInt("index")
            case (2, 2): pad.name = try reader.readString()
            case (3, 0): pad.formatOrder = try reader.readInt("format_order")
            case (5, 2): pad.numeric = try HEFLayerDecoder.numeric(reader.readMessage("numeric_info"))
            case (6, 2): pad.shape = try numbers(reader.readMessage("tensor_shape"), fields: [1, 3, 5])
            case (7, 2): pad.nmsShape = try numbers(reader.readMessage("nms_shape"), fields: [1, 2, 3, 4])
            case (8, 0): pad.formatType = try reader.readInt("format_type")
            default: try reader.skip(wireType: wire)
            }
        }
        return pad
    }

    /// The varint fields `fields` of a small message, in that order (0 when absent).
    static func numbers(_ message: HEFWireReader, fields: [Int]) throws -> [Int] {
        var reader = message
        var values = [Int](repeating: 0, count: fields.count)
        while let (field, wire) = try reader.nextField() {
            if wire == 0, let slot = fields.firstIndex(of: field) {
                values[slot] = try reader.readInt("field \(field)")
            } else {
                try reader.skip(wireType: wire)
            }
        }
        return values
    }

    /// The decoder kinds of `ProtoHEFNmsOp`'s oneof (fields 7–12), as parse-hef names them.
    static let nmsKinds: [Int: String] = [7: "YOLOV5", 8: "YOLOX", 9: "SSD", 10: "IOU", 11: "YOLOV5_SEG", 12: "YOLOV8"]

    /// `ProtoHEFNmsOp`: nms_score_th 1, nms_iou_th 2, max_proposals_per_class 3, classes 4,
    /// background_removal 5, background_removal_index 6, bbox_decoding_only 13, decoder 7–12.
    static func nmsOp(_ message: HEFWireReader) throws -> ProtoNmsOp {
        var reader = message
        var op = ProtoNmsOp()
        while let (field, wire) = try reader.nextField() {
            switch (field, wire) {
            case (1, 1): op.scoreThreshold = try reader.readDouble()
            case (2, 1): op.iouThreshold = try reader.readDouble()
            case (3, 0): op.maxProposalsPerClass = try reader.readInt("max_proposals_per_class")
            case (4, 0): op.classes = try reader.readInt("classes")
            case (5, 0): op.backgroundRemoval = try reader.readBool()
            case (6, 0): op.backgroundRemovalIndex = try reader.readInt("background_removal_index")
            case (13, 0): op.bboxDecodingOnly = try reader.readBool()
            case (7...12, 2):
                op.kind = nmsKinds[field] ?? "unknown"
                try reader.skip(wireType: wire)
            default: try reader.skip(wireType: wire)
            }
        }
        return op
    }
}
