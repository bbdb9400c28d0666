// The text form of a `HEFDescription`: parse-hef's lines (architecture, groups, contexts,
// vstreams, operations) preceded by what parse-hef leaves out — header version and checksums,
// compiler version, extensions — and followed, per stream, by its quantization and device side.

import Foundation

extension HEFDescription {
    /// The description as text lines, for `edgeflow inspect`.
    public var textLines: [String] {
        var lines = ["\(label): Hailo executable (HEF), header version \(header.version), \(fileSize) bytes"]
        lines.append("  " + Self.checksumLine(header.checksum))
        if let proto = header.protoChecksum { lines.append("  " + Self.checksumLine(proto)) }
        var sections = "  sections: header \(header.headerSize), proto \(header.protoSize)"
        if header.version > 0 { sections += ", CCW \(header.ccwSize)" }
        if header.paddingSize > 0 { sections += ", padding \(header.paddingSize)" }
        if header.version == 3 { sections += ", additional info \(header.additionalInfoSize)" }
        lines.append(sections + ", mapping \(mappingBytes) (in the proto)")
        var compiler = "  compiled by Hailo Dataflow Compiler \(sdkVersion.isEmpty ? "(unknown)" : sdkVersion)"
        compiler += ", proto version \(protoVersion)"
        if let timestamp {
            let date = Date(timeIntervalSince1970: Double(timestamp) / 1000)
            compiler += ", at \(ISO8601DateFormatter().string(from: date))"
        }
        lines.append(compiler)
        lines.append("  extensions: " + Self.list(extensions) + "; optional: " + Self.list(optionalExtensions))
        lines.append("Architecture HEF was compiled for: \(architecture.hailort4)  "
                     + "(hw_arch \(architecture.code) \(architecture.name); HailoRT 5: \(architecture.hailort5))")
        for group in networkGroups { lines += group.textLines }
        for warning in warnings { lines.append("warning: \(warning)") }
        return lines
    }

    private static func checksumLine(_ checksum: HEFChecksum) -> String {
        let state = checksum.matches ? "ok" : "MISMATCH (computed \(checksum.computed))"
        return "\(checksum.algorithm) over \(checksum.covers): \(checksum.stored) \(state)"
    }

    private static func list(_ extensions: [HEFExtension]) -> String {
        extensions.isEmpty ? "none" : extensions.map { "\($0.type)" }.joined(separator: ",")
    }
}

extension HEFNetworkGroup {
    var textLines: [String] {
        let kind = contexts > 1 ? "Multi Context - Number of contexts: \(contexts)" : "Single Context"
        var lines = ["Network group name: \(name), \(kind)"]
        var extra: [String] = []
        if let bottleneckFPS { extra.append("bottleneck FPS \(String(format: "%.1f", bottleneckFPS))") }
        if let latencySeconds { extra.append("latency \(String(format: "%.3f", latencySeconds * 1000)) ms") }
        if partialLayouts > 0 { extra.append("\(partialLayouts) partial layouts, the first shown") }
        if !extra.isEmpty { lines.append("    (" + extra.joined(separator: ", ") + ")") }
        for network in networks {
            lines.append("    Network name: \(network)")
            lines.append("        VStream infos:")
            for stream in inputs + outputs where stream.network == network || networks.count == 1 {
                lines += stream.textLines
            }
        }
        if !operations.isEmpty {
            lines.append("            Operation:")
            for op in operations { lines += op.details.map { "                " + $0 } }
        }
        return lines
    }
}

extension HEFStream {
    /// parse-hef's shape text: `(HxWxC)`, `(C)` for NC, `(HxW)` for NHW, NMS parameters for NMS.
    public var shapeText: String {
        if let nms {
            let frame = frameBytes
            return "(number of classes: \(nms.classes), maximum bounding boxes per class: "
                + "\(nms.maxBboxesPerClass), maximum frame size: \(frame))"
        }
        return "(" + shape.map(String.init).joined(separator: "x") + ")"
    }

    var textLines: [String] {
        let label = direction == "input" ? "Input " : "Output"
        var lines = ["            \(label) \(name) \(formatType), \(order)\(shapeText)"]
        var device = "                device: \(deviceOrder)"
        if !hwShape.isEmpty {
            device += " (format \(formatCode)), hw shape \(hwShape.map(String.init).joined(separator: "x"))"
        }
        device += ", \(frameBytes) bytes per frame" + (transposed ? ", transposed" : "")
        lines.append(device)
        if let quant = quantization {
            var text = "                quantization: scale \(quant.scale), zero point \(quant.zeroPoint), "
                + "limvals [\(quant.limvalsMin), \(quant.limvalsMax)]"
            if let scales = quant.perChannelScales {
                text += ", per-channel scale: \(scales.count) values"
                text += (quant.perChannelZeroPoints ?? []).isEmpty ? ", shared zp" : ", per-channel zp"
            }
            lines.append(text)
            lines.append("                  rule: \(quant.rule)")
        }
        if !originalNames.isEmpty {
            lines.append("                source names: " + originalNames.joined(separator: ", "))
        }
        return lines
    }
}
