// What a user can tell the ONNX importer beyond the model itself, and the notes the importer
// hands back about choices it made on the user's behalf (a dynamic batch set to 1).

import EFCore
import Foundation

/// Options of `ONNXImporter.importModel`.
public struct ImportOptions {
    /// Static shapes for graph inputs by name (`--input-shape NAME=1,3,224,224`). They fill
    /// dynamic or symbolic dims; a dim the model fixes must be given its fixed value. With
    /// `startNodeNames`, the new inputs (start nodes' inputs) can be named too.
    public var inputShapes: [String: [Int]]

    /// Cut the graph (as the Hailo parser's `--start-node-names`): the inputs of these nodes that
    /// are not constants become the graph inputs, typed from the model's value_info or, failing
    /// that, by importing the part of the graph before them. Nodes before them are dropped.
    /// A node is named by its `name`, or by its first output when it has no name.
    public var startNodeNames: [String]

    /// Cut the graph (as `--end-node-names`): the outputs of these nodes, in this order, become
    /// the graph outputs, and only the nodes they depend on are kept.
    public var endNodeNames: [String]

    /// Graph inputs replaced by constants. Each tensor must have the input's dtype and fit its
    /// declared dims.
    public var frozenInputs: [String: Tensor]

    /// Values the importer may freeze graph inputs to *only when needed*: when a shape-deciding
    /// operand (Reshape's shape, Range's bounds, ...) is computed at run time from some graph
    /// inputs and all of them have a value here, the import is retried with those inputs
    /// frozen (they disappear from the graph's inputs). Edgeflow compiles static graphs; the
    /// conformance runner passes each test case's inputs here. Names that are not inputs are ignored.
    public var freezableInputs: [String: Tensor]

    public init(inputShapes: [String: [Int]] = [:], startNodeNames: [String] = [], endNodeNames: [String] = [],
                frozenInputs: [String: Tensor] = [:], freezableInputs: [String: Tensor] = [:]) {
        self.inputShapes = inputShapes
        self.startNodeNames = startNodeNames
        self.endNodeNames = endNodeNames
        self.frozenInputs = frozenInputs
        self.freezableInputs = freezableInputs
    }
}

/// Notes the importer makes about choices it took for the user, e.g. "graph input 'x': dynamic
/// batch dim 0 ('N') set to 1". Not errors: a front end shows them (the CLI on stderr).
///
/// Collect them around an import with `ImportNotes.collect { try ONNXImporter.importModel(...) }`;
/// outside `collect` the importer makes no notes.
public final class ImportNotes: @unchecked Sendable {
    /// The collector of the import running in this task, if any.
    @TaskLocal public static var current: ImportNotes?

    private let lock = NSLock()
    private var recorded: [String] = []

    /// An empty collector.
    public init() {}

    /// The notes so far, each once, in the order first made.
    public var lines: [String] {
        lock.lock()
        defer { lock.unlock() }
        return recorded
    }

    /// Adds a note unless the same note was made already (an import may type its inputs twice).
    public func add(_ line: String) {
        lock.lock()
        defer { lock.unlock() }
        if !recorded.contains(line) { recorded.append(line) }
    }

    /// Runs `body` with a fresh collector as `current` and returns its result with the notes made.
    public static func collect<T>(_ body: () throws -> T) rethrows -> (result: T, notes: [String]) {
        let notes = ImportNotes()
        let result = try $current.withValue(notes) { try body() }
        return (result, notes.lines)
    }
}
