// LSTM, GRU and RNN over sequences too long to unroll (more than `maxUnrolledSteps`): one direction
// becomes a runtime loop (RuntimeLoopImporter, docs/control-flow.md) whose body is the cell's step,
// scanning the projected input row by row (last row first for a reverse direction), carrying h
// (and c) and stacking each step's h into Y at that step's time.

import EFCore

extension RecurrentImporters {
    /// One direction run as a runtime loop: Y [T, 1, B, H] and the final h (and c), each [B, H].
    /// - Throws: `EdgeflowError` from the cell's importers or the loop's checks.
    static func runtimeDirection(_ node: OnnxNode, _ ctx: ImportContext, cell: any RecurrentCell, x: String,
                                 direction: Int, reverse: Bool, steps: Int, batch: Int, hidden: Int) throws
        -> (y: String, h: String, c: String?) {
        let projected = try cell.inputProjection(x)
        let width = try ctx.type(projected).shape[2]
        // Rows kept 3-D ([1, B, G·H]) so that the cell's step slices row 0 of its placeholder.
        let rows = try LoweringSupport.reshape(projected, to: [steps, 1, batch, width], ctx, node,
                                               hint: "rows\(direction)")
        typealias Binding = RuntimeLoopImporter.Binding
        let carried = [cell.initialH] + (cell.initialC.map { [$0] } ?? [])
        let bindings = carried.map { Binding(kind: .carried, operand: $0) }
            + [Binding(kind: .scanned, operand: rows, axis: 0, reversed: reverse)]
        let plan = RuntimeLoopImporter.Plan(tripCount: steps, bindings: bindings, outputAxes: [0],
                                            outputsReversed: [reverse])
        let outputs = try RuntimeLoopImporter.emit(node, scope: "\(node.displayName)/step\(direction)", plan,
                                                   into: ctx) { values in
            let (h, c) = (values[0], cell.initialC == nil ? nil : values[1])
            let (newH, newC) = try cell.step(values[carried.count], t: 0, h: h, c: c)
            return [newH] + (newC.map { [$0] } ?? []) + [newH]
        }
        let y = try LoweringSupport.reshape(outputs[carried.count], to: [steps, 1, batch, hidden], ctx, node,
                                            hint: "Y\(direction)")
        return (y, outputs[0], cell.initialC == nil ? nil : outputs[1])
    }
}
