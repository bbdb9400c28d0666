// The memory plan: every intermediate value gets a slot in one arena, reusing the bytes of
// values that are already dead (first fit over live intervals). Reshapes are aliases. Sizes
// and offsets are checked: one that does not fit in Int is an invalid model, never a trap.

import EFCore
import EFIR
import EFRuntime
import Foundation

/// Where each value of a graph lives when the program runs.
struct MemoryPlan {
    /// Arena byte offset of each non-constant value (aliases share their root's offset).
    private(set) var offsets: [String: Int] = [:]
    /// Values that are constants (weights, or reshapes of weights).
    private(set) var constants: [String: Tensor] = [:]
    /// Nodes that need no step because their output aliases their input.
    private(set) var aliasNodes: Set<Int> = []
    private(set) var arenaByteCount = 0

    static let alignment = 64

    init(_ graph: Graph) throws {
        constants = graph.weights
        var root: [String: String] = [:]
        func rootOf(_ value: String) -> String { root[value] ?? value }
        for (index, node) in graph.nodes.enumerated() where node.op == .reshape {
            let input = node.inputs[0], output = node.outputs[0]
            if let constant = constants[input] {
                constants[output] = constant.reshaped(try graph.type(of: output).shape)
            } else {
                root[output] = rootOf(input)
            }
            aliasNodes.insert(index)
        }

        // Live interval of every root value: [definition, last use].
        let forever = Int.max
        var definition: [String: Int] = [:], lastUse: [String: Int] = [:]
        for name in graph.inputs where constants[name] == nil { definition[name] = -1; lastUse[name] = -1 }
        for (index, node) in graph.nodes.enumerated() where !aliasNodes.contains(index) {
            for output in node.outputs where !output.isEmpty {
                definition[output] = index
                lastUse[output] = index
            }
        }
        for (index, node) in graph.nodes.enumerated() {
            for input in node.reads where constants[input] == nil {
                let value = rootOf(input)
                lastUse[value] = max(lastUse[value] ?? index, index)
            }
        }
        for (value, end) in Self.fusableOperandEnds(graph) where constants[value] == nil {
            lastUse[rootOf(value)] = max(lastUse[rootOf(value)] ?? end, end)
        }
        for output in graph.outputs where constants[output] == nil { lastUse[rootOf(output)] = forever }
        // Inputs stay too: a caller may fill them once and run many times.
        for input in graph.inputs where constants[input] == nil { lastUse[input] = forever }
        let inPlace = Self.residualsTakenInPlace(graph, rootOf: rootOf, lastUse: lastUse)

        // First fit in definition order.
        var live: [(offset: Int, size: Int, lastUse: Int)] = []
        let ordered = definition.keys.sorted { (definition[$0]!, $0) < (definition[$1]!, $1) }
        for value in ordered {
            let defined = definition[value]!
            live.removeAll { $0.lastUse < defined }
            let type = try graph.type(of: value)
            // Checked: an archive's types may be huge, and offsets add up (invalid model, not a trap).
            let what = "the memory plan of value '\(value)'"
            let bytes = try CheckedSize.byteCount(type.shape, type.dtype, what, kind: .invalidModel)
            let size = try CheckedSize.add(max(bytes, 1), MemoryPlan.alignment - 1, what, kind: .invalidModel)
                / MemoryPlan.alignment * MemoryPlan.alignment
            if let residual = inPlace[value], let slot = live.firstIndex(where: { $0.offset == offsets[residual] }),
               live[slot].size >= size {
                live[slot].lastUse = lastUse[value]!
                offsets[value] = live[slot].offset
                continue
            }
            var offset = 0
            for block in live.sorted(by: { $0.offset < $1.offset }) {
                if block.offset - offset >= size { break }
                offset = max(offset, try CheckedSize.add(block.offset, block.size, what, kind: .invalidModel))
            }
            live.append((offset, size, lastUse[value]!))
            offsets[value] = offset
            arenaByteCount = max(arenaByteCount, try CheckedSize.add(offset, size, what, kind: .invalidModel))
        }
        for (alias, base) in root { offsets[alias] = offsets[base] }
    }

    /// A float conv with a fused residual adds its destination's previous content (oneDNN's sum
    /// post-op), so its step copies the residual into the output first: at batch 8 a 25 MB copy
    /// before each of ResNet-50's first block tails. When no later step reads the residual (nor the
    /// caller), the output takes the residual's bytes instead and the copy disappears. Not when the
    /// residual is also the conv's input (the source must not overlap the destination). Returns
    /// each such output with its residual's root value. `EDGEFLOW_RESIDUAL_IN_PLACE=off` in the
    /// environment of `compile` turns it off (for measuring it).
    private static func residualsTakenInPlace(_ graph: Graph, rootOf: (String) -> String,
                                              lastUse: [String: Int]) -> [String: String] {
        var taken: [String: String] = [:]
        guard ProcessInfo.processInfo.environment["EDGEFLOW_RESIDUAL_IN_PLACE"] != "off" else { return taken }
        for (index, node) in graph.nodes.enumerated() where node.op == .conv && node.inputs.count > 3 {
            let residual = node.inputs[3]
            guard !residual.isEmpty, let output = node.outputs.first,
                  lastUse[rootOf(residual)] == index, rootOf(node.inputs[0]) != rootOf(residual),
                  let residualType = try? graph.type(of: residual), let outputType = try? graph.type(of: output),
                  residualType == outputType else { continue }
            taken[output] = rootOf(residual)
        }
        return taken
    }

    /// An int8 product's epilogue may run the elementwise steps after it in one pass (EFRuntime's
    /// EpilogueFusion), reading a binary step's other operand (ResNet's shortcut) piece by piece
    /// while it writes the outputs of the steps that follow that binary. Such an operand stays
    /// live to the end of that chain (unary and binary steps each reading the last one's output, up
    /// to a quantizeLinear), so no output of the chain takes part of its bytes, which would make
    /// the fusion refuse. Returns each operand with the node index it must live to.
    private static func fusableOperandEnds(_ graph: Graph) -> [(String, Int)] {
        var producer: [String: OpType] = [:]
        for node in graph.nodes { for output in node.outputs { producer[output] = node.op } }
        var ends: [(String, Int)] = []
        for (index, node) in graph.nodes.enumerated() where node.op == .binary {
            guard node.inputs.contains(where: { [.quantizedConv, .quantizedMatMul].contains(producer[$0]) }),
                  let output = node.outputs.first else { continue }
            var end = index, current = output
            while end + 1 < graph.nodes.count, end - index < 8 {
                let next = graph.nodes[end + 1]
                guard [.unary, .binary, .quantizeLinear].contains(next.op), next.inputs.first == current
                        || (next.op == .binary && next.inputs.contains(current)), let written = next.outputs.first
                else { break }
                end += 1
                current = written
                if next.op == .quantizeLinear { break }
            }
            if end > index { ends += node.inputs.filter { producer[$0] != nil }.map { ($0, end) } }
        }
        return ends
    }

    /// The arena offset of a non-constant value.
    func offset(_ value: String) throws -> Int {
        guard let offset = offsets[value] else {
            throw EdgeflowError(.internalError, "value '\(value)' has no place in the memory plan")
        }
        return offset
    }
}
