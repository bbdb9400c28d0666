// Matching `--input` arguments to a model's inputs: NAME=FILE, or FILE alone for a model
// with one input; missing, unknown and repeated names are errors that list the model's inputs.

import EFArchive
import EFCore
import EFIR
import Foundation

/// A model's inputs in order with their types: of an archive's graph or an executable.
struct InputSignature {
    let inputs: [String]
    let types: [String: TensorType]

    init(_ graph: Graph) {
        inputs = graph.inputs
        types = graph.types
    }

    init(inputs: [String], types: [String: TensorType]) {
        self.inputs = inputs
        self.types = types
    }
}

enum InputAssignment {
    /// The file for each input of an archive's graph, by input name.
    static func resolve(_ arguments: [String], graph: Graph) throws -> [String: URL] {
        try resolve(arguments, InputSignature(graph))
    }

    /// The file for each model input, by input name.
    /// - Throws: `EdgeflowError.invalidArgument` for an argument that names no input of a
    ///   multi-input model, `.invalidInput` for missing, unknown or repeated inputs.
    static func resolve(_ arguments: [String], _ graph: InputSignature) throws -> [String: URL] {
        let inputs = graph.inputs
        let known = Set(inputs)
        var files: [String: URL] = [:]
        for argument in arguments {
            let (name, path) = try split(argument, inputs: inputs, known: known, graph: graph)
            guard files[name] == nil else {
                throw EdgeflowError(.invalidInput, "input '\(name)' is given more than once", hint: listing(graph))
            }
            files[name] = CommandSupport.url(path)
        }
        let missing = inputs.filter { files[$0] == nil }
        guard missing.isEmpty else {
            let names = missing.map { "'\($0)'" }.joined(separator: ", ")
            throw EdgeflowError(.invalidInput, "no data given for input\(missing.count > 1 ? "s" : "") \(names)",
                                hint: listing(graph) + "; give each as --input NAME=FILE.npy")
        }
        return files
    }

    /// The model's inputs with their types and byte sizes, for hints.
    static func listing(_ graph: InputSignature) -> String {
        let described = graph.inputs.map { name -> String in
            guard let type = graph.types[name] else { return name }
            return "\(name) \(type) (\(CommandSupport.grouped(type.shape.elementCount * type.dtype.byteSize)) bytes)"
        }
        switch described.count {
        case 0: return "the model has no inputs"
        case 1: return "the model's input is: " + described[0]
        default: return "the model's inputs are: " + described.joined(separator: ", ")
        }
    }

    private static func split(_ argument: String, inputs: [String], known: Set<String>,
                              graph: InputSignature) throws -> (name: String, path: String) {
        // The longest prefix before an `=` that names an input wins (names may contain `=`).
        var candidates: [(String, String)] = []
        var index = argument.startIndex
        while let separator = argument[index...].firstIndex(of: "=") {
            let name = String(argument[..<separator])
            if known.contains(name) { candidates.append((name, String(argument[argument.index(after: separator)...]))) }
            index = argument.index(after: separator)
        }
        if let match = candidates.last { return match }
        if inputs.count == 1 && (!argument.contains("=") || FileManager.default.fileExists(atPath: argument)) {
            return (inputs[0], argument)
        }
        if let separator = argument.firstIndex(of: "=") {
            let name = String(argument[..<separator])
            throw EdgeflowError(.invalidInput, "the model has no input '\(name)'", hint: listing(graph))
        }
        throw EdgeflowError(.invalidArgument, "--input \(argument) does not say which input it is for",
                            hint: listing(graph) + "; give each as --input NAME=FILE.npy")
    }
}
