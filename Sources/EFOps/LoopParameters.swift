// The runtime loop's typed parameters (ONNX Loop and Scan too long to unroll, docs/control-flow.md):
// the trip count, how the node's inputs and outputs split into carried, scanned and invariant values,
// and the body, a small graph of core ops over named values. The body is checked when decoded
// (every read defined before it, every name defined once), so a loaded executable cannot name a
// value that does not exist; its types are checked by the loop's shape rule (LoopShapes.swift).

import EFCore
import Foundation

/// One op of a loop body.
public struct LoopBodyNode: Equatable, Sendable {
    public var name: String
    public var params: OpParameters
    /// Value names by input position; "" marks an absent optional input.
    public var inputs: [String]
    public var outputs: [String]

    public init(name: String, params: OpParameters, inputs: [String], outputs: [String]) {
        self.name = name
        self.params = params
        self.inputs = inputs
        self.outputs = outputs
    }
}

/// The body of a runtime loop, run once per iteration with the reference kernels.
///
/// Inputs, in order: the iteration number (int64 scalar, when `LoopParameters.countsIterations`),
/// the carried values, one slice of each scanned input (its scan axis removed), then the
/// invariants (values of the enclosing graph, constants among them). Outputs, in order: the
/// condition (a one-element bool, when `LoopParameters.checksCondition`), the carried values'
/// next values, then one part of each stacked output.
public struct LoopBody: Equatable, Sendable {
    public var inputs: [String]
    public var nodes: [LoopBodyNode]
    public var outputs: [String]

    /// A body; `validated` checks it.
    public init(inputs: [String], nodes: [LoopBodyNode], outputs: [String]) {
        self.inputs = inputs
        self.nodes = nodes
        self.outputs = outputs
    }

    /// `self` when every name is defined once (an input or a node output, none empty), every
    /// node input and body output is defined before it is read.
    /// - Throws: `EdgeflowError.invalidModel` naming the node and the value.
    public func validated() throws -> LoopBody {
        var defined = Set<String>()
        func define(_ name: String, _ by: String) throws {
            guard !name.isEmpty, defined.insert(name).inserted else {
                throw EdgeflowError(.invalidModel,
                                    "loop body: \(by) defines '\(name)', which is empty or defined before")
            }
        }
        for input in inputs { try define(input, "an input") }
        for node in nodes {
            for input in node.inputs where !input.isEmpty && !defined.contains(input) {
                throw EdgeflowError(.invalidModel, "loop body: node '\(node.name)' reads '\(input)', "
                                        + "which is not defined before it")
            }
            for output in node.outputs { try define(output, "node '\(node.name)'") }
        }
        for output in outputs where !defined.contains(output) {
            throw EdgeflowError(.invalidModel, "loop body: output '\(output)' is never defined")
        }
        return self
    }
}

extension OpParameters {
    /// Whether a node of these parameters may be evaluated once when all its inputs are constant
    /// (importer and optimizer alike). A runtime loop is not: it exists because it is long, and
    /// folding would move an unbounded amount of work into the import.
    public var foldsWhenConstant: Bool {
        if case .loop = self { return false }
        return true
    }
}

extension LoopBody {
    /// Goes through the nodes in order over values of any kind (types for the shape rule, tensors
    /// for the evaluator): `apply` gives a node's outputs from its inputs (nil for absent ones).
    /// - Returns: the values of the body's outputs.
    /// - Throws: `apply`'s errors, prefixed with the node; `.invalidModel` for an output never defined.
    func walk<Value>(_ inputs: [Value], _ apply: (LoopBodyNode, [Value?]) throws -> [Value]) throws -> [Value] {
        var values = Dictionary(zip(self.inputs, inputs), uniquingKeysWith: { first, _ in first })
        for node in nodes {
            do {
                let results = try apply(node, node.inputs.map { $0.isEmpty ? nil : values[$0] })
                for (name, value) in zip(node.outputs, results) { values[name] = value }
            } catch let error as EdgeflowError {
                throw error.prefixed("loop body node '\(node.name)' (\(node.params.op.rawValue))")
            }
        }
        return try outputs.map { name in
            guard let value = values[name] else {
                throw EdgeflowError(.invalidModel, "loop body: output '\(name)' is never defined")
            }
            return value
        }
    }
}

/// A loop run at run time: `tripCount` iterations of `body` (ONNX Loop with a static trip count,
/// or Scan).
///
/// Node inputs: the condition for the first iteration (a one-element bool, when
/// `checksInitialCondition`), the carried values' initial values, the scanned inputs (each with
/// `tripCount` entries along its scan axis), the invariants. Node outputs: the carried values' final
/// values, then the stacked outputs (each body part with `tripCount` entries inserted along its
/// axis).
public struct LoopParameters: Equatable, Sendable {
    /// Iterations to run (at least 1); fewer when `checksCondition` and the body says stop. At most
    /// `maxTripCount`, except as the bound of a loop whose body decides when to stop (ONNX exporters
    /// write M = 2^63 − 1 for a while loop).
    public var tripCount: Int
    public var carriedCount: Int
    /// Per scanned input: the axis taken apart and whether it is read last entry first.
    public var scanInputAxes: [Int]
    public var scanInputsReversed: [Bool]
    /// Per stacked output: the axis the parts are stacked on and whether the last part comes first.
    public var scanOutputAxes: [Int]
    public var scanOutputsReversed: [Bool]
    /// Body input 0 is the iteration number.
    public var countsIterations: Bool
    /// Body output 0 is a condition: the loop stops after an iteration that gives false.
    public var checksCondition: Bool
    /// Node input 0 is a condition: when false the loop runs no iteration.
    public var checksInitialCondition: Bool
    public var body: LoopBody

    /// At most this many iterations for a loop that does not check a condition (the stacked outputs'
    /// sizes are checked besides).
    public static let maxTripCount = 1 << 31

    public init(tripCount: Int, carriedCount: Int, scanInputAxes: [Int] = [], scanInputsReversed: [Bool] = [],
                scanOutputAxes: [Int] = [], scanOutputsReversed: [Bool] = [], countsIterations: Bool,
                checksCondition: Bool, checksInitialCondition: Bool = false, body: LoopBody) {
        self.tripCount = tripCount
        self.carriedCount = carriedCount
        self.scanInputAxes = scanInputAxes
        self.scanInputsReversed = scanInputsReversed
        self.scanOutputAxes = scanOutputAxes
        self.scanOutputsReversed = scanOutputsReversed
        self.countsIterations = countsIterations
        self.checksCondition = checksCondition
        self.checksInitialCondition = checksInitialCondition
        self.body = body
    }

    /// Body inputs before the invariants.
    var leadingBodyInputs: Int { (countsIterations ? 1 : 0) + carriedCount + scanInputAxes.count }
    /// How many invariants the body takes (node inputs after the carried and scanned ones).
    public var invariantCount: Int { body.inputs.count - leadingBodyInputs }

    /// `self` when the counts fit together and the body is well formed.
    /// - Throws: `EdgeflowError.invalidModel` saying which count does not fit.
    public func validated() throws -> LoopParameters {
        guard tripCount >= 1, checksCondition || tripCount <= Self.maxTripCount else {
            throw EdgeflowError(.invalidModel, "loop: trip count \(tripCount) is not in 1…\(Self.maxTripCount) "
                                    + "(only a loop whose body decides when to stop may have a larger bound)")
        }
        guard carriedCount >= 0, scanInputAxes.count == scanInputsReversed.count,
              scanOutputAxes.count == scanOutputsReversed.count, invariantCount >= 0,
              body.outputs.count == (checksCondition ? 1 : 0) + carriedCount + scanOutputAxes.count else {
            throw EdgeflowError(.invalidModel, "loop: a body of \(body.inputs.count) inputs and \(body.outputs.count) "
                                    + "outputs does not fit \(carriedCount) carried values, \(scanInputAxes.count) "
                                    + "scanned inputs and \(scanOutputAxes.count) stacked outputs")
        }
        guard !(checksCondition || checksInitialCondition) || scanOutputAxes.isEmpty else {
            throw EdgeflowError(.invalidModel, "loop: a loop that may stop early cannot stack outputs "
                                    + "(their length would depend on the data)")
        }
        _ = try body.validated()
        return self
    }
}
