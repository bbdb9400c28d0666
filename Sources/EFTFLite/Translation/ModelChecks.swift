// What is refused before translation, all at once: operators without a translator (custom
// ops other than those CustomOpTranslators knows included), named with their operator
// indices, and operators that compute on TFLite's quantized tensors without an integer
// translator (IntegerTranslators).

import EFCore

enum ModelChecks {
    /// Throws one `.unsupported` error listing every operator without a translator, in the main
    /// graph and in the subgraphs its control flow uses.
    static func checkOperators(_ model: TFLiteModel, _ graph: TFLiteSubgraph) throws {
        var found = OperatorList()
        for (subgraph, graph) in withSubgraphs(model, graph) {
            let place = subgraph == 0 ? "" : " in subgraph \(subgraph)"
            for (index, op) in graph.operators.enumerated() {
                let code = model.operatorCodes[op.opcodeIndex]
                let complex = op.inputs.contains { $0 >= 0 && graph.tensors[$0].typeCode == 8 }
                if OperatorTranslators.translator(for: code, integer: false, complex: complex) != nil { continue }
                found.add(code.displayName + (complex ? " (on complex64)" : "") + place, index)
            }
        }
        guard !found.isEmpty else { return }
        throw EdgeflowError(.unsupported, "the TFLite model uses \(found.count) operator\(found.count > 1 ? "s" : "") "
            + "Edgeflow does not support: " + found.description)
    }

    /// Checks that the graph's inputs and outputs are tensors of the graph, two of them never
    /// sharing a name (an input given back as an output is the same tensor).
    static func checkPublicTensors(_ graph: TFLiteSubgraph) throws {
        var names: [String: Int] = [:]
        for index in graph.inputs + graph.outputs {
            guard index >= 0, index < graph.tensors.count else {
                throw EdgeflowError(.invalidModel, "the graph's inputs or outputs name tensor \(index), which does "
                    + "not exist")
            }
            let name = graph.tensors[index].name
            if let other = names.updateValue(index, forKey: name), other != index {
                throw EdgeflowError(.invalidModel, "two of the graph's inputs and outputs (tensors \(other) and "
                    + "\(index)) are both named '\(name)'")
            }
        }
    }

    /// Throws one `.unsupported` error listing the operators that read or write quantized
    /// tensors but have no integer translator (or are hybrid: float results from int8 weights
    /// without DEQUANTIZE), with their operator indices.
    static func checkQuantizedOperators(_ model: TFLiteModel, _ main: TFLiteSubgraph) throws {
        var found = OperatorList()
        for (subgraph, graph) in withSubgraphs(model, main) {
            try findQuantizedOperators(model, graph, subgraph == 0 ? "" : " in subgraph \(subgraph)", &found)
        }
        guard !found.isEmpty else { return }
        throw EdgeflowError(.unsupported, "the TFLite model computes on quantized tensors with operators Edgeflow "
            + "does not run in integers: " + found.description,
            hint: "Edgeflow runs int8 and uint8 CONV_2D, DEPTHWISE_CONV_2D, TRANSPOSE_CONV, FULLY_CONNECTED, "
                + "BATCH_MATMUL, ADD, SUB, MUL, SQUARED_DIFFERENCE, RSQRT, the "
                + "ReLUs, LEAKY_RELU, PRELU, LOGISTIC, TANH, HARD_SWISH, SOFTMAX, MEAN, RESIZE_BILINEAR (int8), the "
                + "2-D pools, MAXIMUM, MINIMUM, QUANTIZE and data movement (docs/tflite.md); use the float "
                + "version of the model otherwise")
    }

    /// Adds to `found` the operators of `graph` that compute on quantized tensors without an
    /// integer translator, their names followed by `place`.
    /// The comparison operators, whose bool results may come from quantized operands.
    private static let comparisons = [BuiltinOperator.equal, BuiltinOperator.notEqual, BuiltinOperator.less,
                                      BuiltinOperator.lessEqual, BuiltinOperator.greater, BuiltinOperator.greaterEqual]

    private static func findQuantizedOperators(_ model: TFLiteModel, _ graph: TFLiteSubgraph, _ place: String,
                                               _ found: inout OperatorList) throws {
        for (index, op) in graph.operators.enumerated() {
            let code = model.operatorCodes[op.opcodeIndex]
            // The importer translates an operator in integers exactly when its first output is a
            // quantized tensor (TranslationContext.computesInIntegers): the same rule here.
            if let out = op.outputs.first, out >= 0, quantized(out, model, graph, withParameters: true) {
                if OperatorTranslators.translator(for: code, integer: true) == nil {
                    found.add(code.displayName + place, index)
                }
                continue
            }
            let outputIsQuantized = op.outputs.first.map { quantized($0, model, graph) } ?? false
            if outputIsQuantized, IntegerTranslators.table[code.builtinCode] == nil,
               code.builtinCode != BuiltinOperator.quantize {
                found.add(code.displayName + place, index)   // an int8 result without parameters
                continue
            }
            // Float results from quantized inputs: DEQUANTIZE, and the indices of ARG_MAX/ARG_MIN
            // (those of the stored values are those of the real values), ASSIGN_VARIABLE, which
            // keeps them, the comparisons (bool results, IntegerComparisons), and
            // TFLite_Detection_PostProcess, which dequantizes them; others are hybrid.
            let reads = [BuiltinOperator.dequantize, BuiltinOperator.argMax, BuiltinOperator.argMin,
                         BuiltinOperator.assignVariable] + comparisons
            let dequantizes = code.builtinCode == BuiltinOperator.custom
                && code.customCode == DetectionPostProcess.customCode
            // Hybrid FULLY_CONNECTED and convolutions run as LiteRT's hybrid kernels (HybridFullyConnected,
            // HybridConv).
            let hybrid = (code.builtinCode == BuiltinOperator.fullyConnected
                          && HybridFullyConnected.applies(op, in: graph))
                || ([BuiltinOperator.conv2D, BuiltinOperator.depthwiseConv2D].contains(code.builtinCode)
                    && HybridConv.applies(op, in: graph))
            guard !outputIsQuantized, !reads.contains(code.builtinCode), !dequantizes, !hybrid,
                  op.inputs.contains(where: { quantized($0, model, graph) }) else { continue }
            found.add(code.displayName + " (hybrid)" + place, index)
        }
    }

    /// The main graph (index 0) and every subgraph its IF and WHILE operators reach, each once
    /// (indices out of range are left to the translation, which names them).
    static func withSubgraphs(_ model: TFLiteModel, _ main: TFLiteSubgraph) -> [(Int, TFLiteSubgraph)] {
        var result = [(0, main)], seen: Set<Int> = [0], next = 0
        while next < result.count {
            for op in result[next].1.operators {
                for index in (try? ControlFlowTranslators.subgraphs(of: op, model)) ?? []
                where index > 0 && index < model.subgraphs.count && seen.insert(index).inserted {
                    result.append((index, model.subgraphs[index]))
                }
            }
            next += 1
        }
        return result
    }

    /// An int8/uint8/int16 tensor with quantization parameters, or (unless `withParameters`) any
    /// run-time int8/uint8/int16 tensor.
    private static func quantized(_ index: Int, _ model: TFLiteModel, _ graph: TFLiteSubgraph,
                                  withParameters: Bool = false) -> Bool {
        guard index >= 0 else { return false }
        let tensor = graph.tensors[index]
        guard [3, 7, 9].contains(tensor.typeCode) else { return false }   // UINT8, INT16, INT8
        if tensor.quantization?.isPresent == true { return true }
        let constant = tensor.buffer > 0 && model.buffers[tensor.buffer].range != nil
        return !withParameters && !constant
    }
}

/// Operator names in order of first use, each with the indices of the operators using it.
private struct OperatorList: CustomStringConvertible {
    private var entries: [(name: String, operators: [Int])] = []
    /// Each name's position in `entries` (a file can hold many distinct custom operator names).
    private var slots: [String: Int] = [:]

    var isEmpty: Bool { entries.isEmpty }
    var count: Int { entries.count }

    mutating func add(_ name: String, _ index: Int) {
        if let slot = slots[name] {
            entries[slot].operators.append(index)
        } else {
            slots[name] = entries.count
            entries.append((name, [index]))
        }
    }

    /// "NAME (operators 1, 2, 3, 4, 5 and 2 more); OTHER (operator 9)".
    var description: String {
        entries.map { entry in
            let shown = entry.operators.prefix(5).map(String.init).joined(separator: ", ")
            let more = entry.operators.count > 5 ? " and \(entry.operators.count - 5) more" : ""
            return "\(entry.name) (operator\(entry.operators.count > 1 ? "s" : "") \(shown)\(more))"
        }.joined(separator: "; ")
    }
}
