// ONNX Loop and Scan: unrolled at import when short (the body imported once per iteration, its
// names scoped per iteration, carried values threaded from one to the next, per-iteration outputs
// stacked), a runtime loop otherwise (RuntimeLoopImporter: more than `maxUnrolledNodes` body nodes
// over all iterations). A Loop is unrolled while a constant M bounds it and its condition stays a
// known constant; a condition known only at run time makes it a runtime loop that checks it (no
// scan outputs then). Scan's length is its scan inputs' static extent.

import EFCore
import EFIR

enum LoopImporters {
    typealias Binding = RuntimeLoopImporter.Binding
    static let table: [String: OpImporter] = ["Loop": importLoop, "Scan": importScan]
    static let maxUnrolledIterations = 4096
    /// A loop whose iterations would import more body nodes than this runs as a runtime loop.
    static let maxUnrolledNodes = 4096

    static func importLoop(_ node: OnnxNode, _ ctx: ImportContext) throws {
        guard case .graph(let body)? = node.attributes["body"] else {
            throw LoweringSupport.invalid(node, "no body graph")
        }
        let carried = Array(node.inputs.dropFirst(2)).map { ctx.value($0) }
        guard body.inputs.count == 2 + carried.count, body.outputs.count >= 1 + carried.count else {
            throw LoweringSupport.invalid(node, "its body takes \(body.inputs.count) inputs and gives "
                                              + "\(body.outputs.count) outputs for \(carried.count) carried values")
        }
        let maxTrips = try ctx.constantInput(node, 0, "M").map { try LoweringSupport.intValues($0, node, "M") }
        guard maxTrips == nil || maxTrips?.count == 1 else { throw LoweringSupport.invalid(node, "M is not a scalar") }
        let condition = ctx.input(node, 1)
        // nil: known only at run time.
        let initiallyTrue = condition.map { ctx.constant($0).map { RuntimeLoopImporter.isTrue($0) } } ?? true
        let stacked = body.outputs.count - 1 - carried.count
        var plan = RuntimeLoopImporter.Plan(
            tripCount: maxTrips?.first ?? Int.max,
            bindings: [Binding(kind: .counter), Binding(kind: .condition)]
                + carried.map { Binding(kind: .carried, operand: $0) },
            conditionOutput: true, outputAxes: [Int](repeating: 0, count: stacked),
            outputsReversed: [Bool](repeating: false, count: stacked))
        if let trips = maxTrips?.first, initiallyTrue == true, runsAtRunTime(trips, body) {
            do {
                try RuntimeLoopImporter.emit(node, body: body, plan, into: ctx)
                return
            } catch let error where trips > maxUnrolledIterations {
                throw error
            } catch {}  // short enough to unroll instead
        }
        let mark = ctx.nodes.count
        do {
            try unroll(node, body, carried: carried, maxTrips: maxTrips?.first, condition: condition, ctx)
        } catch let failure where stacked == 0 && (failure is TooLong
                                                   || (failure as? NonConstantOperand)?.role == "loop condition") {
            // A condition computed at run time, or too many iterations: a runtime loop checks the
            // condition (before the first iteration too when the initial one is not known).
            _ = ctx.takeNodes(after: mark)
            plan.initialCondition = initiallyTrue == nil ? condition : nil
            do {
                try RuntimeLoopImporter.emit(node, body: body, plan, into: ctx)
            } catch is EdgeflowError where maxTrips == nil && failure is NonConstantOperand {
                throw failure  // no bound and a condition that never changes: name the input to fix
            }
        } catch is TooLong {
            throw LoweringSupport.unsupported(node, "more than \(maxUnrolledIterations) iterations with scan outputs "
                                                  + "under a condition that stays true")
        }
    }

    /// The unrolled iterations would pass `maxUnrolledIterations`.
    private struct TooLong: Error {}

    /// The loop unrolled: the condition must stay a known constant.
    /// - Throws: `NonConstantOperand` (role "loop condition") for a condition known only at run time,
    ///   `TooLong` past `maxUnrolledIterations`.
    private static func unroll(_ node: OnnxNode, _ body: OnnxGraph, carried: [String], maxTrips: Int?,
                               condition: String?, _ ctx: ImportContext) throws {
        var condition = condition
        let limit = min(maxTrips ?? Int.max, maxUnrolledIterations + 1)
        var state = carried
        var scanParts = [[String]](repeating: [], count: body.outputs.count - 1 - carried.count)
        var iteration = 0
        while iteration < limit {
            if let condition {
                guard let known = ctx.constant(condition) else {
                    throw NonConstantOperand(value: condition, node: node.displayName, role: "loop condition")
                }
                if !RuntimeLoopImporter.isTrue(known) { break }
            }
            let index = ctx.addConstant(Tensor(shape: [], scalars: [Int64(iteration)]), hint: "\(node.displayName)/i")
            let conditionIn = condition ?? ctx.addConstant(Self.bool(true), hint: "\(node.displayName)/true")
            let outputs = try SubgraphInlining.inline(body, bindings: [index, conditionIn] + state,
                                                      scope: "\(node.displayName)/\(iteration)", for: node, into: ctx)
            condition = outputs[0]
            state = Array(outputs[1 ... carried.count])
            for k in scanParts.indices { scanParts[k].append(outputs[1 + carried.count + k]) }
            iteration += 1
        }
        guard iteration <= maxUnrolledIterations else { throw TooLong() }
        try finish(node, ctx, state: state, scans: scanParts, axes: [Int](repeating: 0, count: scanParts.count),
                   reversed: [Bool](repeating: false, count: scanParts.count))
    }

    static func importScan(_ node: OnnxNode, _ ctx: ImportContext) throws {
        guard ctx.opset >= 9 else {
            throw LoweringSupport.unsupported(node, "Scan before opset 9 (batched, with sequence_lens)")
        }
        guard case .graph(let body)? = node.attributes["body"] else {
            throw LoweringSupport.invalid(node, "no body graph")
        }
        let scanCount = try LoweringSupport.requiredInt(node, "num_scan_inputs")
        let inputs = node.inputs.map { ctx.value($0) }
        guard (1...inputs.count).contains(scanCount) else {
            throw LoweringSupport.invalid(node, "num_scan_inputs \(scanCount) with \(inputs.count) inputs")
        }
        let stateCount = inputs.count - scanCount
        let scanOutputs = body.outputs.count - stateCount
        guard scanOutputs >= 0, body.inputs.count == inputs.count else {
            throw LoweringSupport.invalid(node, "its body does not fit \(stateCount) state and \(scanCount) "
                                              + "scan values")
        }
        let scanned = Array(inputs.suffix(scanCount))
        let inputAxes = try (node.attributeInts("scan_input_axes") ?? [Int](repeating: 0, count: scanCount))
        let inputReversed = try (node.attributeInts("scan_input_directions") ?? []).map { $0 != 0 }
        let outputAxes = try node.attributeInts("scan_output_axes") ?? [Int](repeating: 0, count: scanOutputs)
        let outputDirections = try node.attributeInts("scan_output_directions")
        let outputReversed = (outputDirections ?? [Int](repeating: 0, count: scanOutputs)).map { $0 != 0 }
        guard inputAxes.count == scanCount, outputAxes.count == scanOutputs, outputReversed.count == scanOutputs,
              inputReversed.isEmpty || inputReversed.count == scanCount else {
            throw LoweringSupport.invalid(node, "scan axes or directions do not match the scan inputs and outputs")
        }
        let shapes = try scanned.map { try ctx.type($0).shape }
        let axes = try zip(inputAxes, shapes).map { try LoweringSupport.axis($0, rank: $1.count, node) }
        let lengths = Set(zip(axes, shapes).map { $1[$0] })
        guard lengths.count == 1, let length = lengths.first, length >= 1 else {
            throw LoweringSupport.unsupported(node, "scan inputs of lengths \(lengths.sorted()) (they must be equal)")
        }
        if runsAtRunTime(length, body) {
            do {
                let bindings = Array(inputs.prefix(stateCount)).map { Binding(kind: .carried, operand: $0) }
                    + scanned.indices.map { k in
                        Binding(kind: .scanned, operand: scanned[k], axis: axes[k],
                                reversed: inputReversed.isEmpty ? false : inputReversed[k])
                    }
                try RuntimeLoopImporter.emit(node, body: body, .init(tripCount: length, bindings: bindings,
                                                                      outputAxes: outputAxes,
                                                                      outputsReversed: outputReversed), into: ctx)
                return
            } catch let error where length > maxUnrolledIterations {
                throw error
            } catch {}  // short enough to unroll instead
        }
        var state = Array(inputs.prefix(stateCount))
        var parts = [[String]](repeating: [], count: scanOutputs)
        for step in 0..<length {
            let slices = try scanned.indices.map { k in
                let position = (inputReversed.isEmpty ? false : inputReversed[k]) ? length - 1 - step : step
                return try Self.take(scanned[k], axis: axes[k], at: position, shape: shapes[k], ctx, node)
            }
            let outputs = try SubgraphInlining.inline(body, bindings: state + slices,
                                                      scope: "\(node.displayName)/\(step)", for: node, into: ctx)
            state = Array(outputs.prefix(stateCount))
            for k in parts.indices { parts[k].append(outputs[stateCount + k]) }
        }
        try finish(node, ctx, state: state, scans: parts, axes: outputAxes, reversed: outputReversed)
    }

    /// Whether `iterations` of `body` run as a runtime loop rather than unrolled.
    private static func runsAtRunTime(_ iterations: Int, _ body: OnnxGraph) -> Bool {
        let product = iterations.multipliedReportingOverflow(by: max(1, body.nodes.count))
        return product.overflow || product.partialValue > maxUnrolledNodes
    }

    /// The node's outputs: the final carried values, then each scan output stacked along its axis.
    private static func finish(_ node: OnnxNode, _ ctx: ImportContext, state: [String], scans: [[String]],
                               axes: [Int], reversed: [Bool]) throws {
        for (name, value) in zip(node.outputs, state) where !name.isEmpty { ctx.alias(name, to: value) }
        for (k, parts) in scans.enumerated() where state.count + k < node.outputs.count {
            let name = node.outputs[state.count + k]
            guard !name.isEmpty else { continue }
            guard !parts.isEmpty else {
                throw LoweringSupport.unsupported(node, "a scan output of a loop that runs zero times")
            }
            let ordered = reversed[k] ? Array(parts.reversed()) : parts
            let shape = try ctx.type(ordered[0]).shape
            let axis = try LoweringSupport.axis(axes[k], rank: shape.count + 1, node)
            var expanded = shape
            expanded.insert(1, at: axis)
            let pieces = try ordered.map { try LoweringSupport.reshape($0, to: expanded, ctx, node, hint: "scan\(k)") }
            if pieces.count == 1 {
                ctx.alias(name, to: pieces[0])
            } else {
                try ctx.emit(.concat, pieces, ["axis": .int(axis)], outputs: [name], from: node)
            }
        }
    }

    /// `value` at `position` along `axis`, with that axis removed.
    private static func take(_ value: String, axis: Int, at position: Int, shape: [Int], _ ctx: ImportContext,
                             _ node: OnnxNode) throws -> String {
        var starts = [Int](repeating: 0, count: shape.count), ends = shape
        starts[axis] = position
        ends[axis] = position + 1
        let slice = try ctx.emit(.slice, [value], ["starts": .ints(starts), "ends": .ints(ends),
                                                   "steps": .ints([Int](repeating: 1, count: shape.count))],
                                 from: node, hint: "slice\(position)")
        var squeezed = shape
        squeezed.remove(at: axis)
        return try LoweringSupport.reshape(slice, to: squeezed, ctx, node, hint: "item\(position)")
    }

    static func bool(_ value: Bool) -> Tensor {
        [UInt8(value ? 1 : 0)].withUnsafeBytes { Tensor(dtype: .bool, shape: [], bytes: $0) }
    }
}
