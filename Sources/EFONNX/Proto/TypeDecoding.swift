// Decoders for ValueInfoProto, TypeProto, TensorShapeProto and TensorProto.

import EFCore
import Foundation

extension ProtoDecoding {
    static func valueInfo(_ r: inout WireReader) throws -> OnnxValueInfo {
        var info = OnnxValueInfo()
        info.kind = .undeclared
        while !r.isAtEnd {
            let (field, type) = try r.readTag()
            switch field {
            case 1:
                try expect(type, .lengthDelimited, "name", r)
                info.name = try r.readString()
            case 2:
                try expect(type, .lengthDelimited, "type", r)
                try r.readMessage("type") { try typeProto(&$0, into: &info) }
            default:
                try r.skip(type)
            }
        }
        return info
    }

    /// TypeProto: the tensor element type and shape, or just the kind for other types.
    static func typeProto(_ r: inout WireReader, into info: inout OnnxValueInfo) throws {
        while !r.isAtEnd {
            let (field, type) = try r.readTag()
            switch field {
            case 1:
                try expect(type, .lengthDelimited, "tensor_type", r)
                info.kind = .tensor
                try r.readMessage("tensor_type") { try tensorType(&$0, into: &info) }
            case 4, 5, 8, 9:
                let kinds: [Int: OnnxValueKind] = [4: .sequence, 5: .map, 8: .sparseTensor, 9: .optional]
                info.kind = kinds[field] ?? .undeclared
                try r.skip(type)
            default:
                try r.skip(type)
            }
        }
    }

    /// TypeProto.Tensor: elem_type and shape.
    static func tensorType(_ r: inout WireReader, into info: inout OnnxValueInfo) throws {
        while !r.isAtEnd {
            let (field, type) = try r.readTag()
            switch field {
            case 1:
                try expect(type, .varint, "elem_type", r)
                info.elemType = try r.readInt()
            case 2:
                try expect(type, .lengthDelimited, "shape", r)
                info.dims = try r.readMessage("shape", shape)
            default:
                try r.skip(type)
            }
        }
    }

    /// TensorShapeProto: one entry per `dim`.
    static func shape(_ r: inout WireReader) throws -> [OnnxDim] {
        var dims: [OnnxDim] = []
        while !r.isAtEnd {
            let (field, type) = try r.readTag()
            if field == 1 {
                try expect(type, .lengthDelimited, "dim", r)
                dims.append(try r.readMessage("dim[\(dims.count)]", dimension))
            } else {
                try r.skip(type)
            }
        }
        return dims
    }

    /// TensorShapeProto.Dimension: dim_value, dim_param, or neither (unknown).
    static func dimension(_ r: inout WireReader) throws -> OnnxDim {
        var dim = OnnxDim.unknown
        while !r.isAtEnd {
            let (field, type) = try r.readTag()
            switch field {
            case 1:
                try expect(type, .varint, "dim_value", r)
                dim = .value(try r.readInt())
            case 2:
                try expect(type, .lengthDelimited, "dim_param", r)
                let name = try r.readString()
                dim = name.isEmpty ? .unknown : .param(name)
            default:
                try r.skip(type)
            }
        }
        return dim
    }

    static func tensor(_ r: inout WireReader) throws -> OnnxTensor {
        var t = OnnxTensor()
        while !r.isAtEnd {
            let (field, type) = try r.readTag()
            switch field {
            case 1:
                try r.appendVarints(type, to: &t.dims) { Int(truncatingIfNeeded: $0) }
            case 2:
                try expect(type, .varint, "data_type", r)
                t.dataType = try r.readInt()
            case 4:
                try r.appendFixed(type, width: 4, to: &t.floatData) { try $0.readFloat() }
            case 5:
                try r.appendVarints(type, to: &t.int32Data) { Int32(truncatingIfNeeded: $0) }
            case 6:
                try expect(type, .lengthDelimited, "string_data", r)
                t.stringData.append(try r.readData())
            case 7:
                try r.appendVarints(type, to: &t.int64Data) { Int64(bitPattern: $0) }
            case 8:
                try expect(type, .lengthDelimited, "name", r)
                t.name = try r.readString()
            case 9:
                try expect(type, .lengthDelimited, "raw_data", r)
                t.rawData = try r.readData()
            case 10:
                try r.appendFixed(type, width: 8, to: &t.doubleData) { try $0.readDouble() }
            case 11:
                try r.appendVarints(type, to: &t.uint64Data) { $0 }
            case 13:
                try expect(type, .lengthDelimited, "external_data", r)
                let (key, value) = try r.readMessage("external_data[\(t.externalData.count)]", stringEntry)
                t.externalData[key] = value
            case 14:
                try expect(type, .varint, "data_location", r)
                t.dataLocation = try r.readInt()
            default:
                try r.skip(type)
            }
        }
        return t
    }
}
