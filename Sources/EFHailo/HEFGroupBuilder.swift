// Assembles one HailoRT network group from the decoded proto: picks the core op (the net-flow
// `core_op` when HAILO_NET_FLOW is on, else the legacy group; the first partial of a multi-layout
// group), names the group and its networks, collects boundary streams over all contexts, merges
// defused NMS streams, sorts outputs by `sorted_outputs_order`, and lets host post-process ops
// replace the streams they consume.

import EFCore
import Foundation

enum HEFGroupBuilder {
    static func build(_ group: ProtoNetworkGroup, position: Int, extensions: Set<Int>,
                      warnings: inout [String]) throws -> HEFNetworkGroup {
        var core = group.legacy
        var postOps: [ProtoOp] = []
        if extensions.contains(HEFFormats.netFlowExtension),
           let coreOp = group.ops.first(where: { $0.coreOp != nil })?.coreOp {
            core = coreOp
            postOps = group.ops.filter { $0.coreOp == nil }
        }
        let partialLayouts = core.partials.count
        if let first = core.partials.first { core = first }
        var name = core.metadata.name
        if name.isEmpty { name = group.name.isEmpty ? "network_group_\(position)" : group.name }
        var networks = ["\(name)/\(name)"]
        if extensions.contains(HEFFormats.multiNetworkExtension), !core.networksNames.isEmpty {
            networks = core.networksNames.map { $0.contains("/") ? $0 : "\(name)/\($0)" }
        }
        var builder = HEFStreamBuilder(perFeatureQuant: extensions.contains(HEFFormats.outputScalePerFeatureExtension),
                                       transposedNet: core.metadata.transposedNet, networks: networks)
        var inputs: [HEFStream] = []
        var outputs: [HEFStream] = []
        var seen = Set<String>()
        var contextOrder: [String] = []
        for context in core.contexts {
            contextOrder += context.sortedOutputsOrder
            for edge in context.edgeLayers where edge.connectionType == HEFStreamBuilder.boundary {
                for stream in try builder.streams(edge) {
                    if !seen.insert(stream.name).inserted {
                        warnings.append("\(name): boundary name '\(stream.name)' appears twice (HailoRT refuses)")
                    }
                    if stream.direction == "input" { inputs.append(stream) } else { outputs.append(stream) }
                }
            }
        }
        warnings += builder.warnings.map { "\(name): \($0)" }
        outputs = mergeDefusedNMS(outputs, core: core)
        let order = !core.fusedSortedOutputs.isEmpty ? core.fusedSortedOutputs
            : !core.sortedOutputsOrder.isEmpty ? core.sortedOutputsOrder : contextOrder
        outputs = sortOutputs(outputs, by: order)
        var operations: [HEFOperation] = []
        for op in postOps {
            operations.append(try apply(op, to: &outputs, network: networks[0], warnings: &warnings))
        }
        let metadata = core.metadata
        return HEFNetworkGroup(name: name, index: metadata.index, contexts: core.contexts.count, networks: networks,
                               bottleneckFPS: metadata.bottleneckFPS > 0 ? metadata.bottleneckFPS : nil,
                               latencySeconds: metadata.latency > 0 ? metadata.latency : nil,
                               partialLayouts: partialLayouts, inputs: inputs, outputs: outputs,
                               operations: operations)
    }

    /// Outputs in the order of `names` (HailoRT's `sorted_outputs_order`); others keep their place after.
    static func sortOutputs(_ outputs: [HEFStream], by names: [String]) -> [HEFStream] {
        guard !names.isEmpty else { return outputs }
        var rank: [String: Int] = [:]
        for (index, name) in names.enumerated() where rank[name] == nil { rank[name] = index }
        return outputs.enumerated().sorted { lhs, rhs in
            let left = rank[lhs.element.name] ?? names.count + lhs.offset
            let right = rank[rhs.element.name] ?? names.count + rhs.offset
            return left != right ? left < right : lhs.offset < rhs.offset
        }.map(\.element)
    }

    /// Defused on-chip NMS: the class-group streams of one fused layer become one vstream named
    /// after it (`defuse_info.original_name`), with the classes added up.
    static func mergeDefusedNMS(_ outputs: [HEFStream], core: ProtoCoreOp) -> [HEFStream] {
        var originals: [String: String] = [:]
        for context in core.contexts {
            for edge in context.edgeLayers {
                if let info = edge.layer.base.nms, info.isDefused, !info.originalName.isEmpty {
                    originals[edge.layer.name] = info.originalName
                }
            }
        }
        guard !originals.isEmpty else { return outputs }
        var merged: [HEFStream] = []
        for stream in outputs {
            guard let original = originals[stream.name], var nms = stream.nms else {
                merged.append(stream)
                continue
            }
            if let index = merged.firstIndex(where: { $0.name == original }), var existing = merged[index].nms {
                let (sum, overflow) = existing.classes.addingReportingOverflow(nms.classes)
                existing.classes = overflow ? Int.max : sum
                merged[index].nms = existing
                merged[index].shape = [existing.classes, 5, existing.maxBboxesPerClass]
                merged[index].frameBytes = (try? HEFStreamBuilder.nmsFrameBytes(
                    classes: existing.classes, maxBboxesPerClass: existing.maxBboxesPerClass, what: original)) ?? 0
            } else {
                var copy = stream
                copy.name = original
                nms.classes = max(nms.classes, 0)
                copy.nms = nms
                merged.append(copy)
            }
        }
        return merged
    }

    /// A host post-process op: its output replaces the core-op outputs it consumes (matched by
    /// pad name), at the place of the first of them.
    static func apply(_ op: ProtoOp, to outputs: inout [HEFStream], network: String,
                      warnings: inout [String]) throws -> HEFOperation {
        let consumed = Set(op.inputPads.map(\.name))
        let position = outputs.firstIndex { consumed.contains($0.name) } ?? outputs.count
        let outputPad = op.outputPads.first
        var details: [String]
        var stream: HEFStream
        if let nms = op.nms {
            details = ["Op \(nms.kind)", "Name: \(op.name)",
                       "Score threshold: \(String(format: "%.3f", nms.scoreThreshold))",
                       "IoU threshold: \(String(format: "%.2f", nms.iouThreshold))",
                       "Classes: \(nms.classes)", "Max bboxes per class: \(nms.maxProposalsPerClass)"]
            if nms.backgroundRemoval { details.append("Background removal index: \(nms.backgroundRemovalIndex)") }
            let frame = try HEFStreamBuilder.nmsFrameBytes(classes: nms.classes,
                                                           maxBboxesPerClass: nms.maxProposalsPerClass, what: op.name)
            stream = HEFStream(name: outputPad?.name ?? op.name, network: network, direction: "output",
                               formatType: "FLOAT32", order: "HAILO NMS BY CLASS",
                               shape: [nms.classes, 5, nms.maxProposalsPerClass], deviceOrder: "HOST POST-PROCESS",
                               formatCode: -1, hwShape: [], frameBytes: frame, transposed: false, originalNames: [],
                               quantization: nil,
                               nms: HEFNMS(classes: nms.classes, maxBboxesPerClass: nms.maxProposalsPerClass,
                                           bboxSize: 5, divisionFactor: 1, burstSize: 0, burstType: 0))
        } else if let logits = op.logitsType {
            details = ["Op \(logits == 0 ? "ARGMAX" : "SOFTMAX")", "Name: \(op.name)"]
            let shape = outputPad?.shape ?? []
            let type = outputPad.flatMap { HEFFormats.formatType(dataBytes: $0.formatType) } ?? "FLOAT32"
            stream = HEFStream(name: outputPad?.name ?? op.name, network: network, direction: "output",
                               formatType: type, order: "NHWC", shape: shape, deviceOrder: "HOST POST-PROCESS",
                               formatCode: -1, hwShape: [], frameBytes: (try? CheckedSize.product(
                                   shape + [type == "FLOAT32" ? 4 : type == "UINT16" ? 2 : 1], "logits")) ?? 0,
                               transposed: false, originalNames: [], quantization: nil, nms: nil)
        } else {
            warnings.append("op '\(op.name)': unknown post-process kind; its outputs are not shown")
            return HEFOperation(name: op.name, kind: "unknown", details: [], inputs: Array(consumed).sorted(),
                                outputs: op.outputPads.map(\.name))
        }
        outputs.removeAll { consumed.contains($0.name) }
        outputs.insert(stream, at: min(position, outputs.count))
        return HEFOperation(name: op.name, kind: op.nms != nil ? "NMS" : "Logits", details: details,
                            inputs: op.inputPads.map(\.name), outputs: op.outputPads.map(\.name))
    }
}
