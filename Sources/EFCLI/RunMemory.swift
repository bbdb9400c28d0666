// The memory budget of `infer` and `benchmark` (--max-memory): what running a graph needs,
// estimated from its types before any tensor of the run is allocated, and checked against the
// budget. Reference engine: the weights plus the largest set of values alive at once (the
// interpreter frees each value after its last reader). Compiled engine: the weights plus the
// program's arena and scratchpad, plus the inputs and outputs it copies in and out.

import EFCore
import EFIR
import EFRuntime
import Foundation

enum RunMemory {
    /// The range --max-memory accepts: 1 MiB to 1 PiB.
    static let validRange = MemoryBudget.runRange

    /// The default budget: half the machine's physical memory (within `validRange`).
    static var defaultLimit: Int { MemoryBudget.defaultRunLimit }

    /// The budget for one run, `limit` bytes or the default.
    static func budget(_ limit: Int?) -> MemoryBudget { .run(limit) }

    /// Checks that every value's type of `graph` (read from an archive) has a byte count that fits
    /// in Int, so the estimates and the engines can use plain element counts.
    /// - Throws: `EdgeflowError.invalidModel` naming the first value that does not.
    static func checkTypes(_ graph: Graph) throws {
        for (name, type) in graph.types.sorted(by: { $0.key < $1.key }) { try type.checkSize("value '\(name)'") }
    }

    /// The bytes of a value of `graph`.
    /// - Throws: `EdgeflowError.invalidModel` when its byte count overflows.
    static func bytes(of value: String, in graph: Graph) throws -> Int {
        let type = try graph.type(of: value)
        return try CheckedSize.byteCount(type.shape, type.dtype, "value '\(value)'", kind: .invalidModel)
    }

    /// `a + b`, saturating at Int.max (budgets only compare these sums).
    static func plus(_ a: Int, _ b: Int) -> Int {
        let (sum, overflow) = a.addingReportingOverflow(b)
        return overflow ? Int.max : sum
    }

    /// The bytes of all weights.
    static func weightBytes(_ graph: Graph) -> Int {
        graph.weights.values.reduce(0) { plus($0, $1.byteCount) }
    }

    /// The bytes of the graph inputs and outputs.
    static func interfaceBytes(_ graph: Graph) throws -> Int {
        try (graph.inputs + graph.outputs).reduce(0) { plus($0, try bytes(of: $1, in: graph)) }
    }

    /// The largest total of graph inputs and node outputs alive at once when the interpreter
    /// runs `graph` (outputs stay alive to the end; every other value dies after its last reader).
    static func peakLiveBytes(_ graph: Graph) throws -> Int {
        var lastUse: [String: Int] = [:]
        for (index, node) in graph.nodes.enumerated() {
            for input in node.inputs where !input.isEmpty { lastUse[input] = index }
        }
        let kept = Set(graph.outputs)
        var live = try graph.inputs.reduce(0) { plus($0, try bytes(of: $1, in: graph)) }
        var peak = live
        var dying = [[String]](repeating: [], count: graph.nodes.count)
        for (value, index) in lastUse where !kept.contains(value) && graph.weights[value] == nil {
            dying[index].append(value)
        }
        for (index, node) in graph.nodes.enumerated() {
            for output in node.outputs where !output.isEmpty { live = plus(live, try bytes(of: output, in: graph)) }
            peak = max(peak, live)
            for value in dying[index] { live -= min(live, try bytes(of: value, in: graph)) }
        }
        return peak
    }

    /// Checks the reference engine's needs against `budget`.
    /// - Throws: `EdgeflowError.invalidInput` naming what needs how much and how to raise the limit.
    static func checkReference(_ graph: Graph, _ budget: MemoryBudget) throws {
        let weights = weightBytes(graph), values = try peakLiveBytes(graph)
        try budget.check(plus(weights, values), for: "running '\(graph.name)' on the reference engine ("
            + "weights \(MemoryBudget.format(weights)) + values alive at once \(MemoryBudget.format(values)))")
    }

    /// Checks, before compiling, what the compiled engine needs at the least: weights, inputs and outputs.
    static func checkBeforeCompile(_ graph: Graph, _ budget: MemoryBudget) throws {
        let weights = weightBytes(graph), interface = try interfaceBytes(graph)
        try budget.check(plus(weights, interface), for: "running '\(graph.name)' ("
            + "weights \(MemoryBudget.format(weights)) + inputs and outputs \(MemoryBudget.format(interface)))")
    }

    /// Checks the compiled program's needs before its arena is allocated.
    static func checkCompiled(_ program: Program, _ graph: Graph, _ budget: MemoryBudget) throws {
        let weights = weightBytes(graph), interface = try interfaceBytes(graph)
        let arena = plus(program.arenaByteCount, program.scratchpadByteCount)
        try budget.check(plus(plus(weights, interface), arena), for: "running '\(graph.name)' ("
            + "weights \(MemoryBudget.format(weights)) + arena and scratchpad \(MemoryBudget.format(arena)) "
            + "+ inputs and outputs \(MemoryBudget.format(interface)))")
    }

    /// Checks the `.npy` files given to `infer` before any is read: each must be a regular file
    /// (not a device or pipe that never ends) and together they must fit `budget`.
    /// - Throws: `EdgeflowError.io` for a file that cannot be examined, `.invalidInput` otherwise.
    static func checkInputFiles(_ files: [String: URL], _ budget: MemoryBudget) throws {
        var total = 0
        for (name, url) in files.sorted(by: { $0.key < $1.key }) {
            let file = CommandSupport.display(url)
            guard let attributes = try? FileManager.default.attributesOfItem(atPath: url.path) else {
                throw EdgeflowError(.io, "cannot read \(file) for input '\(name)': no such file")
            }
            guard attributes[.type] as? FileAttributeType == .typeRegular else {
                throw EdgeflowError(.invalidInput, "\(file) for input '\(name)' is not a regular file")
            }
            total = plus(total, (attributes[.size] as? NSNumber)?.intValue ?? 0)
        }
        try budget.check(total, for: "reading the input files (\(files.count) .npy)")
    }
}
