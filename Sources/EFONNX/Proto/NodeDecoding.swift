// Decoders for NodeProto and AttributeProto.

import EFCore
import Foundation

extension ProtoDecoding {
    static func node(_ r: inout WireReader) throws -> OnnxNode {
        var node = OnnxNode()
        var attributeCount = 0
        while !r.isAtEnd {
            let (field, type) = try r.readTag()
            switch field {
            case 1:
                try expect(type, .lengthDelimited, "input", r)
                node.inputs.append(try r.readString())
            case 2:
                try expect(type, .lengthDelimited, "output", r)
                node.outputs.append(try r.readString())
            case 3:
                try expect(type, .lengthDelimited, "name", r)
                node.name = try r.readString()
            case 4:
                try expect(type, .lengthDelimited, "op_type", r)
                node.opType = try r.readString()
            case 5:
                try expect(type, .lengthDelimited, "attribute", r)
                let (name, value) = try r.readMessage("attribute[\(attributeCount)]", attribute)
                node.attributes[name] = value
                attributeCount += 1
            case 7:
                try expect(type, .lengthDelimited, "domain", r)
                node.domain = try r.readString()
            default:
                try r.skip(type)
            }
        }
        return node
    }

    /// AttributeProto → (name, value). The value kind follows the `type` field; files from before
    /// that field existed are read by which value field is present.
    static func attribute(_ r: inout WireReader) throws -> (String, OnnxAttribute) {
        var name = ""
        var typeCode = 0
        var f: Float?, i: Int?, s: Data?, t: OnnxTensor?, g: OnnxGraph?
        var floats: [Float] = [], ints: [Int] = [], strings: [Data] = []
        var tensors: [OnnxTensor] = [], graphs: [OnnxGraph] = []
        var otherKind: Int?
        while !r.isAtEnd {
            let (field, type) = try r.readTag()
            switch field {
            case 1:
                try expect(type, .lengthDelimited, "name", r)
                name = try r.readString()
            case 20:
                try expect(type, .varint, "type", r)
                typeCode = try r.readInt()
            case 2:
                try expect(type, .fixed32, "f", r)
                f = try r.readFloat()
            case 3:
                try expect(type, .varint, "i", r)
                i = try r.readInt()
            case 4:
                try expect(type, .lengthDelimited, "s", r)
                s = try r.readData()
            case 5:
                try expect(type, .lengthDelimited, "t", r)
                t = try r.readMessage("t", tensor)
            case 6:
                try expect(type, .lengthDelimited, "g", r)
                g = try r.readMessage("g", graph)
            case 7:
                try r.appendFixed(type, width: 4, to: &floats) { try $0.readFloat() }
            case 8:
                try r.appendVarints(type, to: &ints) { Int(truncatingIfNeeded: $0) }
            case 9:
                try expect(type, .lengthDelimited, "strings", r)
                strings.append(try r.readData())
            case 10:
                try expect(type, .lengthDelimited, "tensors", r)
                tensors.append(try r.readMessage("tensors[\(tensors.count)]", tensor))
            case 11:
                try expect(type, .lengthDelimited, "graphs", r)
                graphs.append(try r.readMessage("graphs[\(graphs.count)]", graph))
            case 22, 23, 14, 15:
                // sparse_tensor, sparse_tensors, tp, type_protos: kinds Edgeflow does not read.
                otherKind = [22: 11, 23: 12, 14: 13, 15: 14][field]
                try r.skip(type)
            default:
                try r.skip(type)
            }
        }
        if typeCode == 0 {
            typeCode = inferredTypeCode(f: f != nil, i: i != nil, s: s != nil, t: t != nil, g: g != nil,
                                        floats: !floats.isEmpty, ints: !ints.isEmpty, strings: !strings.isEmpty,
                                        tensors: !tensors.isEmpty, graphs: !graphs.isEmpty) ?? otherKind ?? 0
        }
        let value: OnnxAttribute
        switch typeCode {
        case 1: value = .float(f ?? 0)
        case 2: value = .int(i ?? 0)
        case 3: value = .string(s ?? Data())
        case 4: value = .tensor(t ?? OnnxTensor())
        case 5: value = .graph(g ?? OnnxGraph())
        case 6: value = .floats(floats)
        case 7: value = .ints(ints)
        case 8: value = .strings(strings)
        case 9: value = .tensors(tensors)
        case 10: value = .graphs(graphs)
        default: value = .unsupported(typeCode: typeCode)
        }
        return (name, value)
    }

    /// AttributeProto.AttributeType code implied by the value fields present (legacy files).
    private static func inferredTypeCode(f: Bool, i: Bool, s: Bool, t: Bool, g: Bool, floats: Bool, ints: Bool,
                                         strings: Bool, tensors: Bool, graphs: Bool) -> Int? {
        let candidates: [(Bool, Int)] = [(floats, 6), (ints, 7), (strings, 8), (tensors, 9), (graphs, 10),
                                         (t, 4), (g, 5), (s, 3), (f, 1), (i, 2)]
        return candidates.first(where: { $0.0 })?.1
    }
}
