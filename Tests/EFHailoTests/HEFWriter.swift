// Test-only writer of HEF files: a protobuf encoder (the wire reader in reverse) and a header
// writer for versions 0–3 with correct checksums, for cases no public file covers.

import EFCore
import EFHailo
import Foundation

/// Builds one protobuf message field by field.
struct ProtoWriter {
    var bytes: [UInt8] = []

    static func varint(_ value: UInt64) -> [UInt8] {
        var out: [UInt8] = []
        var rest = value
        while rest >= 0x80 {
            out.append(UInt8(rest & 0x7F) | 0x80)
            rest >>= 7
        }
        out.append(UInt8(rest))
        return out
    }

    mutating func key(_ field: Int, _ wire: Int) { bytes += Self.varint(UInt64(field << 3 | wire)) }

    @discardableResult mutating func int(_ field: Int, _ value: Int) -> ProtoWriter {
        key(field, 0)
        bytes += Self.varint(UInt64(bitPattern: Int64(value)))
        return self
    }

    mutating func bytesField(_ field: Int, _ payload: [UInt8]) {
        key(field, 2)
        bytes += Self.varint(UInt64(payload.count)) + payload
    }

    mutating func string(_ field: Int, _ value: String) { bytesField(field, Array(value.utf8)) }
    mutating func message(_ field: Int, _ build: (inout ProtoWriter) -> Void) {
        var inner = ProtoWriter()
        build(&inner)
        bytesField(field, inner.bytes)
    }

    mutating func float(_ field: Int, _ value: Float) {
        key(field, 5)
        withUnsafeBytes(of: value.bitPattern.littleEndian) { bytes += $0 }
    }

    mutating func double(_ field: Int, _ value: Double) {
        key(field, 1)
        withUnsafeBytes(of: value.bitPattern.littleEndian) { bytes += $0 }
    }

    mutating func packedDoubles(_ field: Int, _ values: [Double]) {
        var payload: [UInt8] = []
        for value in values { withUnsafeBytes(of: value.bitPattern.littleEndian) { payload += $0 } }
        bytesField(field, payload)
    }
}

/// One boundary stream of a synthetic HEF.
struct SyntheticStream {
    var name: String
    var output = true
    var shape = [4, 5, 6]
    var format = 0
    var dataBytes = 1
    var scale: Float = 0.5
    var zeroPoint: Float = 3
    var scales: [Double] = []
    var zeroPoints: [Double] = []
    /// (classes, max_output_size, bbox_size, division factor) for format 6.
    var nms: (Int, Int, Int, Int)?
    var connection = 0

    func edgeLayer(_ w: inout ProtoWriter) {
        w.int(1, output ? 1 : 0)
        w.message(3) { info in
            info.string(1, name)
            info.message(2) { base in
                for (field, value) in [(1, shape[0]), (2, shape[0]), (3, shape[1]), (4, shape[1]), (5, shape[2]),
                                       (6, shape[2]), (7, format), (12, dataBytes)] { base.int(field, value) }
                if let nms {
                    base.message(11) { extra in
                        extra.message(1) { n in
                            n.int(2, nms.0); n.int(3, nms.1); n.int(4, nms.2); n.int(7, nms.3)
                        }
                    }
                }
            }
            info.message(3) { numeric in
                numeric.float(1, zeroPoint); numeric.float(2, scale); numeric.float(3, -1); numeric.float(4, 2)
                if !zeroPoints.isEmpty { numeric.packedDoubles(5, zeroPoints) }
                if !scales.isEmpty { numeric.packedDoubles(6, scales) }
            }
            info.string(5, "src/\(name)")
        }
        w.message(5) { csi in csi.int(3, connection) }
    }
}

enum HEFWriter {
    /// A legacy network group with one context holding `streams`; `sorted` is sorted_outputs_order.
    static func group(_ name: String, _ streams: [SyntheticStream], sorted: [String] = [],
                      contexts: Int = 1) -> [UInt8] {
        var w = ProtoWriter()
        w.message(1) { m in m.string(1, name); m.double(4, 100) }
        for index in 0..<contexts {
            w.message(3) { context in
                context.int(1, index)
                context.bytesField(2, [0x08, 0x01])  // operations: skipped unread
                context.message(3) { metadata in
                    if index == 0 { for stream in streams { metadata.message(2) { stream.edgeLayer(&$0) } } }
                }
            }
        }
        for name in sorted { w.string(4, name) }
        return w.bytes
    }

    /// A `ProtoHEFHef` with header fields, extension types and network groups.
    static func proto(groups: [[UInt8]], extensions: [Int] = [0, 26], hwArch: Int = 1, sdk: String = "3.29.0",
                      extra: (inout ProtoWriter) -> Void = { _ in }) -> [UInt8] {
        var w = ProtoWriter()
        w.message(1) { h in h.int(1, hwArch); h.int(2, 1_700_000_000_000); h.string(3, sdk); h.int(4, 5) }
        for group in groups { w.bytesField(2, group) }
        w.bytesField(3, [1, 2, 3])
        for type in extensions { w.message(5) { e in e.int(1, type); e.string(2, "EXT_\(type)") } }
        extra(&w)
        return w.bytes
    }

    static func be(_ value: UInt64, _ count: Int) -> [UInt8] {
        (0..<count).map { UInt8(truncatingIfNeeded: value >> (8 * UInt64(count - 1 - $0))) }
    }

    /// A whole file: header of `version` with a correct checksum, proto, `ccw` bytes.
    static func file(version: Int, proto: [UInt8], ccw: [UInt8] = [9, 8, 7, 6]) -> [UInt8] {
        let common = HEFHeader.magic + be(UInt64(version), 4) + be(UInt64(proto.count), 4)
        switch version {
        case 0:
            return common + be(0, 4) + MD5.digest(proto) + proto
        case 1:
            let residue = proto + ccw
            return common + be(UInt64(CRC32.checksum(residue)), 4) + be(UInt64(ccw.count), 8) + be(0, 4) + residue
        case 2:
            let residue = proto + ccw
            return common + be(XXH3.hash(residue), 8) + be(UInt64(ccw.count), 8) + be(0, 16) + residue
        default:
            let padding = (4096 - (56 + proto.count) % 4096) % 4096
            let additional = [UInt8](repeating: 0, count: 16)
            let residue = proto + [UInt8](repeating: 0, count: padding) + ccw + additional
            return common + be(XXH3.hash(residue), 8) + be(UInt64(padding + ccw.count), 8) + be(UInt64(padding), 4)
                + be(UInt64(additional.count), 8) + be(XXH3.hash(proto), 8) + be(0, 8) + residue
        }
    }
}
