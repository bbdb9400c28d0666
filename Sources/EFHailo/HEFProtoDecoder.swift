// Decodes the top of `ProtoHEFHef`: the file header message, extensions, network groups and
// their core ops, contexts and metadata. Field numbers follow HailoRT's hef.proto (hailo8 and
// master branches agree on all of them). A field with an unexpected wire type is skipped like an
// unknown field; bulky fields (context operations, preliminary config, mapping) are skipped.

enum HEFProtoDecoder {
    /// Decodes the `ProtoHEFHef` in `bytes` (the proto region, starting at `fileOffset`).
    static func decode(_ bytes: [UInt8], fileOffset: Int) throws -> ProtoHef {
        var reader = HEFWireReader(bytes, fileOffset: fileOffset, message: "ProtoHEFHef")
        var hef = ProtoHef()
        while let (field, wire) = try reader.nextField() {
            switch (field, wire) {
            case (1, 2): hef.header = try header(reader.readMessage("header"))
            case (2, 2): hef.networkGroups.append(try networkGroup(reader.readMessage("network_groups")))
            case (3, 2): hef.mappingBytes += try reader.readLengthDelimited().count
            case (5, 2): hef.extensions.append(try extensionMessage(reader.readMessage("extensions")))
            case (6, 2): hef.optionalExtensions.append(try extensionMessage(reader.readMessage("optional_extensions")))
            case (7, 2): hef.externalResources.append(try externalResource(reader.readMessage("external_resources")))
            default: try reader.skip(wireType: wire)
            }
        }
        return hef
    }

    static func header(_ message: HEFWireReader) throws -> ProtoHeader {
        var reader = message
        var header = ProtoHeader()
        while let (field, wire) = try reader.nextField() {
            switch (field, wire) {
            case (1, 0): header.hwArch = try reader.readInt("hw_arch")
            case (2, 0): header.timestamp = try reader.readVarint()
            case (3, 2): header.sdkVersion = try reader.readString()
            case (4, 0): header.version = try reader.readInt("version")
            case (5, 2):
                var inner = try reader.readMessage("sdk_version")
                var numbers = [0, 0, 0]
                while let (number, innerWire) = try inner.nextField() {
                    if (1...3).contains(number), innerWire == 0 {
                        numbers[number - 1] = try inner.readInt("sdk_version")
                    } else {
                        try inner.skip(wireType: innerWire)
                    }
                }
                header.sdkVersionNumbers = numbers
            default: try reader.skip(wireType: wire)
            }
        }
        return header
    }

    static func extensionMessage(_ message: HEFWireReader) throws -> ProtoExtension {
        var reader = message
        var result = ProtoExtension()
        while let (field, wire) = try reader.nextField() {
            switch (field, wire) {
            case (1, 0): result.typeIndex = try reader.readInt("type_index")
            case (2, 2): result.name = try reader.readString()
            default: try reader.skip(wireType: wire)
            }
        }
        return result
    }

    static func externalResource(_ message: HEFWireReader) throws -> (name: String, offset: Int, size: Int) {
        var reader = message
        var result = (name: "", offset: 0, size: 0)
        while let (field, wire) = try reader.nextField() {
            switch (field, wire) {
            case (1, 0): result.offset = try reader.readInt("offset")
            case (2, 0): result.size = try reader.readInt("size")
            case (3, 2): result.name = try reader.readString()
            default: try reader.skip(wireType: wire)
            }
        }
        return result
    }

    /// `ProtoHEFNetworkGroup`: the legacy core-op fields 1–7 plus ops (8) and name/index (10, 11).
    static func networkGroup(_ message: HEFWireReader) throws -> ProtoNetworkGroup {
        var reader = message
        var group = ProtoNetworkGroup()
        while let (field, wire) = try reader.nextField() {
            switch (field, wire) {
            case (8, 2): group.ops.append(try HEFOpDecoder.op(reader.readMessage("ops")))
            case (10, 2): group.name = try reader.readString()
            case (11, 0): group.index = try reader.readInt("network_group_index")
            default: try coreOpField(field, wire, &reader, &group.legacy, partialName: "partial_network_groups")
            }
        }
        return group
    }

    /// `ProtoHEFCoreOp` (fields 1–7, the same numbers as the legacy network group).
    static func coreOp(_ message: HEFWireReader, partialName: String) throws -> ProtoCoreOp {
        var reader = message
        var op = ProtoCoreOp()
        while let (field, wire) = try reader.nextField() {
            try coreOpField(field, wire, &reader, &op, partialName: partialName)
        }
        return op
    }

    private static func coreOpField(_ field: Int, _ wire: Int, _ reader: inout HEFWireReader, _ op: inout ProtoCoreOp,
                                    partialName: String) throws {
        switch (field, wire) {
        case (1, 2): op.metadata = try groupMetadata(reader.readMessage("network_group_metadata"))
        case (3, 2): op.contexts.append(try context(reader.readMessage("contexts")))
        case (4, 2): op.sortedOutputsOrder.append(try reader.readString())
        case (5, 2): op.fusedSortedOutputs += try fusedSortedOutputs(reader.readMessage("fused_layers_metadata"))
        case (6, 2): op.networksNames.append(try reader.readString())
        case (7, 2):
            var partial = try reader.readMessage(partialName)
            while let (inner, innerWire) = try partial.nextField() {
                if inner == 1, innerWire == 2 {
                    op.partials.append(try coreOp(partial.readMessage("core_op"), partialName: partialName))
                } else {
                    try partial.skip(wireType: innerWire)
                }
            }
        default: try reader.skip(wireType: wire)
        }
    }

    static func fusedSortedOutputs(_ message: HEFWireReader) throws -> [String] {
        var reader = message
        var names: [String] = []
        while let (field, wire) = try reader.nextField() {
            if field == 2, wire == 2 { names.append(try reader.readString()) } else { try reader.skip(wireType: wire) }
        }
        return names
    }

    static func groupMetadata(_ message: HEFWireReader) throws -> ProtoGroupMetadata {
        var reader = message
        var metadata = ProtoGroupMetadata()
        while let (field, wire) = try reader.nextField() {
            switch (field, wire) {
            case (1, 2): metadata.name = try reader.readString()
            case (2, 0): metadata.index = try reader.readInt("network_group_index")
            case (3, 0): metadata.transposedNet = try reader.readBool()
            case (4, 1): metadata.bottleneckFPS = try reader.readDouble()
            case (6, 1): metadata.latency = try reader.readDouble()
            default: try reader.skip(wireType: wire)
            }
        }
        return metadata
    }

    /// `ProtoHEFContext`: the index and the metadata; `operations` (field 2) is skipped unread.
    static func context(_ message: HEFWireReader) throws -> ProtoContext {
        var reader = message
        var result = ProtoContext()
        while let (field, wire) = try reader.nextField() {
            switch (field, wire) {
            case (1, 0): result.index = try reader.readInt("context_index")
            case (3, 2):
                var metadata = try reader.readMessage("metadata")
                while let (inner, innerWire) = try metadata.nextField() {
                    switch (inner, innerWire) {
                    case (2, 2):
                        result.edgeLayers.append(try HEFLayerDecoder.edgeLayer(metadata.readMessage("edge_layers")))
                    case (5, 2): result.sortedOutputsOrder.append(try metadata.readString())
                    default: try metadata.skip(wireType: innerWire)
                    }
                }
            default: try reader.skip(wireType: wire)
            }
        }
        return result
    }
}
