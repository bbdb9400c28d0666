// One case of the ONNX backend suite: a directory with model.onnx and test_data_set_0/
// {input_i.pb, output_j.pb}. Running it gives an outcome: pass, or skip with a reason.
//
// Edgeflow compiles static graphs: every input's shape is given as --input-shape would, and an
// input that decides a shape (Reshape's target, Range's bounds...) is frozen to its test value
// (ImportOptions.freezableInputs: the importer retries with exactly the inputs such an operand
// depends on frozen, and they disappear from the graph's inputs).

import EFCore
import EFIR
import EFInterpreter
import EFONNX
import Foundation

/// What happened to a case.
struct CaseOutcome: Equatable {
    enum Status: String { case pass, skip }
    var status: Status
    /// Why a case is skipped: "unsupported op: Attention", "sequence input", "fails: ...".
    var reason: String = ""

    static let pass = CaseOutcome(status: .pass)
    static func skip(_ reason: String) -> CaseOutcome { CaseOutcome(status: .skip, reason: reason) }

    /// What must not change silently: the status and the reason's class (the text before its
    /// first colon), so "unsupported op: A, B" → "unsupported op: B" is a detail, not a change.
    var key: String {
        status == .pass ? "pass" : "skip: " + (reason.split(separator: ":", maxSplits: 1).first.map(String.init) ?? "")
    }
}

/// A loaded case and how to run it.
struct ConformanceCase {
    let id: String          // "node/test_abs"
    let directory: URL

    /// Op types of the model's nodes (for the per-op table); empty when it cannot be read.
    private(set) var opTypes: Set<String> = []
    /// True when the import froze some inputs because they decide shapes.
    private(set) var frozeInputs = false
    /// The case compiled to an .efx, loaded and run (nil when the reference did not pass).
    private(set) var executableOutcome: CaseOutcome?

    init(id: String, directory: URL) {
        self.id = id
        self.directory = directory
    }

    mutating func run() -> CaseOutcome {
        do {
            return try runThrowing()
        } catch let error as EdgeflowError {
            return .skip("error: " + ConformanceCase.oneLine(error.message))
        } catch {
            return .skip("error: " + ConformanceCase.oneLine("\(error)"))
        }
    }

    private mutating func runThrowing() throws -> CaseOutcome {
        let model = try OnnxModel(contentsOf: directory.appendingPathComponent("model.onnx"))
        opTypes = Set(model.graph.nodes.map(\.opType))
        let initializers = Set(model.graph.initializers.map(\.name))
        let inputs = model.graph.inputs.filter { !initializers.contains($0.name) }
        if let reason = ConformanceCase.unsupportedValue(inputs, "input") ?? ConformanceCase.unsupportedValue(model.graph.outputs, "output") {
            return .skip(reason)
        }
        guard ONNXImporter.supportedOpsets.contains(model.defaultOpset) else {
            let range = ONNXImporter.supportedOpsets
            return .skip("opset \(model.defaultOpset) (outside \(range.lowerBound)–\(range.upperBound))")
        }
        let unsupported = ONNXImporter.unsupportedOperators(model.graph.nodes, opsets: model.opsetImports)
        guard unsupported.isEmpty else {
            return .skip("unsupported op: " + unsupported.map(\.qualifiedName).sorted().joined(separator: ", "))
        }
        let data = directory.appendingPathComponent("test_data_set_0")
        let feeds = try ConformanceCase.tensors(in: data, prefix: "input", count: inputs.count)
        let expected = try ConformanceCase.tensors(in: data, prefix: "output", count: model.graph.outputs.count)
        var named: [String: Tensor] = [:]
        for (info, tensor) in zip(inputs, feeds) { named[info.name] = tensor }

        let graph: Graph
        do {
            let options = ImportOptions(inputShapes: named.mapValues(\.shape), freezableInputs: named)
            graph = try ONNXImporter.importModel(model, baseDirectory: directory, options: options)
        } catch let error as EdgeflowError {
            let kind = error.kind == .unsupported ? "unsupported" : "import error"
            return .skip("\(kind): " + ConformanceCase.oneLine(error.message))
        }
        frozeInputs = graph.inputs.count < inputs.count
        let results: [String: Tensor]
        do {
            results = try Interpreter(graph: graph).run(named.filter { graph.inputs.contains($0.key) })
        } catch let error as EdgeflowError {
            let kind = error.kind == .unsupported ? "unsupported" : "run error"
            return .skip("\(kind): " + ConformanceCase.oneLine(error.message))
        }
        if let failure = ConformanceCase.mismatch(results, model.graph.outputs, expected) { return failure }
        executableOutcome = ConformanceCase.runExecutable(graph, named.filter { graph.inputs.contains($0.key) },
                                                          model.graph.outputs, expected)
        return .pass
    }

    /// The first output that is missing or differs from the expected tensor, as a skip.
    static func mismatch(_ results: [String: Tensor], _ outputs: [OnnxValueInfo], _ expected: [Tensor]) -> CaseOutcome? {
        for (info, wanted) in zip(outputs, expected) {
            guard let actual = results[info.name] else { return .skip("fails: output '\(info.name)' missing") }
            if let problem = OutputComparison.problem(actual: actual, expected: wanted) {
                return .skip("fails: output '\(info.name)' \(problem)")
            }
        }
        return nil
    }

    /// A skip reason for non-tensor values or element types Edgeflow lacks, nil when all fit.
    private static func unsupportedValue(_ values: [OnnxValueInfo], _ role: String) -> String? {
        for info in values {
            if !info.isTensor { return "\(info.kind.rawValue) \(role)" }
            if info.elemType != 0 && OnnxDataType.dtype(info.elemType) == nil {
                return "\(OnnxDataType.name(info.elemType)) dtype"
            }
        }
        return nil
    }

    /// `prefix_0.pb` ... `prefix_{count-1}.pb` as tensors.
    private static func tensors(in directory: URL, prefix: String, count: Int) throws -> [Tensor] {
        try (0..<count).map { index in
            let url = directory.appendingPathComponent("\(prefix)_\(index).pb")
            let data: Data
            do { data = try Data(contentsOf: url) } catch {
                throw EdgeflowError(.io, "missing \(prefix)_\(index).pb")
            }
            return try OnnxTensor(decoding: data).toTensor(baseDirectory: nil)
        }
    }

    /// A message as one manifest-safe line of at most 160 characters.
    static func oneLine(_ text: String) -> String {
        let flat = text.map { $0 == "\t" || $0 == "\n" || $0 == "\r" ? " " : $0 }
        return flat.count > 160 ? String(flat.prefix(157)) + "..." : String(flat)
    }
}
