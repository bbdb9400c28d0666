// The string-keyed form of the runtime loop's parameters (keys documented on OpType.loop): counts,
// axes and flags as plain keys, the body as one JSON string {"inputs", "nodes", "outputs"} whose
// nodes are {"name", "op", "params", "inputs", "outputs"}, params in this same string-keyed form.
// A loop nested in a body is a string inside that string: every level escapes the one below, so
// nesting is bounded by the file's size, not by a counter. Non-finite floats (a clip bound of ∞)
// are the strings "Infinity", "-Infinity" and "NaN", as in graph.json and the executable's PROG.

import EFCore
import Foundation

extension OpParameters {
    /// Decodes a loop and checks that its counts and body fit together (`LoopParameters.validated`).
    static func loop(_ a: Attributes) throws -> LoopParameters {
        let scanInputAxes = try ints(a, "scanInputAxes"), scanOutputAxes = try ints(a, "scanOutputAxes")
        let inputsReversed = try reversedFlags(a, "scanInputsReversed", scanInputAxes.count)
        let outputsReversed = try reversedFlags(a, "scanOutputsReversed", scanOutputAxes.count)
        let body = try LoopBodyCoding.decode(try a.requiredString("body"))
        return try LoopParameters(tripCount: try a.requiredInt("tripCount"), carriedCount: try a.requiredInt("carried"),
                                  scanInputAxes: scanInputAxes, scanInputsReversed: inputsReversed,
                                  scanOutputAxes: scanOutputAxes, scanOutputsReversed: outputsReversed,
                                  countsIterations: try flag(a, "countsIterations", false),
                                  checksCondition: try flag(a, "checksCondition", false),
                                  checksInitialCondition: try flag(a, "checksInitialCondition", false),
                                  body: body).validated()
    }

    /// The string-keyed form of `p`.
    static func loopAttributes(_ p: LoopParameters) -> Attributes {
        var a: Attributes = ["tripCount": .int(p.tripCount), "carried": .int(p.carriedCount),
                             "body": .string(LoopBodyCoding.encode(p.body))]
        if !p.scanInputAxes.isEmpty {
            a["scanInputAxes"] = .ints(p.scanInputAxes)
            a["scanInputsReversed"] = .ints(p.scanInputsReversed.map { $0 ? 1 : 0 })
        }
        if !p.scanOutputAxes.isEmpty {
            a["scanOutputAxes"] = .ints(p.scanOutputAxes)
            a["scanOutputsReversed"] = .ints(p.scanOutputsReversed.map { $0 ? 1 : 0 })
        }
        if p.countsIterations { a["countsIterations"] = .int(1) }
        if p.checksCondition { a["checksCondition"] = .int(1) }
        if p.checksInitialCondition { a["checksInitialCondition"] = .int(1) }
        return a
    }

    /// 0/1 flags, one per axis; all false when the key is absent.
    private static func reversedFlags(_ a: Attributes, _ key: String, _ count: Int) throws -> [Bool] {
        guard a[key] != nil else { return [Bool](repeating: false, count: count) }
        let flags = try ints(a, key)
        guard flags.count == count, flags.allSatisfy({ $0 == 0 || $0 == 1 }) else {
            throw EdgeflowError(.invalidModel, "'\(key)' must hold \(count) flags of 0 or 1")
        }
        return flags.map { $0 == 1 }
    }
}

/// The body's JSON string.
enum LoopBodyCoding {
    private static let markers = ("Infinity", "-Infinity", "NaN")

    private struct Form: Codable {
        var inputs: [String]
        var nodes: [NodeForm]
        var outputs: [String]
    }

    private struct NodeForm: Codable {
        var name: String
        /// The op's name, looked up so that an unknown one is named in the error.
        var op: String
        var params: Attributes
        var inputs: [String]
        var outputs: [String]
    }

    /// - Throws: `EdgeflowError.invalidModel` for text that is not a body, naming the node whose
    ///   parameters do not decode.
    static func decode(_ text: String) throws -> LoopBody {
        let form: Form
        do {
            let decoder = JSONDecoder()
            decoder.nonConformingFloatDecodingStrategy = .convertFromString(
                positiveInfinity: markers.0, negativeInfinity: markers.1, nan: markers.2)
            form = try decoder.decode(Form.self, from: Data(text.utf8))
        } catch {
            throw EdgeflowError(.invalidModel, "loop body: not a body's JSON (\(error))")
        }
        let nodes = try form.nodes.map { node in
            guard let op = OpType(rawValue: node.op) else {
                throw EdgeflowError(.invalidModel, "loop body node '\(node.name)': unknown op '\(node.op)'")
            }
            do {
                return LoopBodyNode(name: node.name, params: try OpParameters(op, node.params),
                                    inputs: node.inputs, outputs: node.outputs)
            } catch let error as EdgeflowError {
                throw error.prefixed("loop body node '\(node.name)' (\(node.op))")
            }
        }
        return LoopBody(inputs: form.inputs, nodes: nodes, outputs: form.outputs)
    }

    static func encode(_ body: LoopBody) -> String {
        let form = Form(inputs: body.inputs, nodes: body.nodes.map {
            NodeForm(name: $0.name, op: $0.params.op.rawValue, params: $0.params.attributes, inputs: $0.inputs,
                     outputs: $0.outputs)
        }, outputs: body.outputs)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        encoder.nonConformingFloatEncodingStrategy = .convertToString(
            positiveInfinity: markers.0, negativeInfinity: markers.1, nan: markers.2)
        // Strings, integers, floats (non-finite ones as markers) and arrays of them always encode.
        return String(decoding: (try? encoder.encode(form)) ?? Data("{}".utf8), as: UTF8.self)
    }
}
