// What is refused before translation, all at once: operators without a translator (custom
// ops included), named with their operator indices, and operators that compute on TFLite's
// quantized tensors without an integer translator (IntegerTranslators).

import EFCore

enum ModelChecks {
    /// Throws one `.unsupported` error listing every operator without a translator.
    static func checkOperators(_ model: TFLiteModel, _ graph: TFLiteSubgraph) throws {
        var found: [(name: String, operators: [Int])] = []
        for (index, op) in graph.operators.enumerated() {
            let code = model.operatorCodes[op.opcodeIndex]
            if code.builtinCode != BuiltinOperator.custom,
               OperatorTranslators.table[code.builtinCode] != nil { continue }
            if let slot = found.firstIndex(where: { $0.name == code.displayName }) {
                found[slot].operators.append(index)
            } else {
                found.append((code.displayName, [index]))
            }
        }
        guard !found.isEmpty else { return }
        let list = found.map { entry in
            let shown = entry.operators.prefix(5).map(String.init).joined(separator: ", ")
            let more = entry.operators.count > 5 ? " and \(entry.operators.count - 5) more" : ""
            return "\(entry.name) (operator\(entry.operators.count > 1 ? "s" : "") \(shown)\(more))"
        }
        throw EdgeflowError(.unsupported, "the TFLite model uses \(found.count) operator\(found.count > 1 ? "s" : "") "
            + "Edgeflow does not support: " + list.joined(separator: "; "))
    }

    /// Throws one `.unsupported` error listing the operators that read or write quantized
    /// tensors but have no integer translator (or are hybrid: float results from int8 weights
    /// without DEQUANTIZE), with their operator indices.
    static func checkQuantizedOperators(_ model: TFLiteModel, _ graph: TFLiteSubgraph) throws {
        var found: [(name: String, operators: [Int])] = []
        for (index, op) in graph.operators.enumerated() {
            let code = model.operatorCodes[op.opcodeIndex].builtinCode
            guard code != BuiltinOperator.dequantize,
                  (op.inputs + op.outputs).contains(where: { quantized($0, model, graph) }) else { continue }
            let integerOutput = op.outputs.first.map { quantized($0, model, graph) } ?? false
            if integerOutput, IntegerTranslators.table[code] != nil { continue }
            if code == BuiltinOperator.quantize { continue }
            let name = model.operatorCodes[op.opcodeIndex].displayName + (integerOutput ? "" : " (hybrid)")
            if let slot = found.firstIndex(where: { $0.name == name }) {
                found[slot].operators.append(index)
            } else {
                found.append((name, [index]))
            }
        }
        guard !found.isEmpty else { return }
        let list = found.map { entry in
            let shown = entry.operators.prefix(5).map(String.init).joined(separator: ", ")
            let more = entry.operators.count > 5 ? " and \(entry.operators.count - 5) more" : ""
            return "\(entry.name) (operator\(entry.operators.count > 1 ? "s" : "") \(shown)\(more))"
        }
        throw EdgeflowError(.unsupported, "the TFLite model computes on quantized tensors with operators Edgeflow "
            + "does not run in integers: " + list.joined(separator: "; "),
            hint: "Edgeflow runs int8 CONV_2D, DEPTHWISE_CONV_2D, FULLY_CONNECTED, ADD, SUB, MUL, the ReLUs, "
                + "LOGISTIC, TANH, HARD_SWISH, SOFTMAX, MEAN, the 2-D pools, QUANTIZE and data movement; use the "
                + "float version of the model otherwise")
    }

    /// An int8/uint8/int16 tensor with quantization parameters, or any run-time int8/uint8/int16 tensor.
    private static func quantized(_ index: Int, _ model: TFLiteModel, _ graph: TFLiteSubgraph) -> Bool {
        guard index >= 0 else { return false }
        let tensor = graph.tensors[index]
        guard [3, 7, 9].contains(tensor.typeCode) else { return false }   // UINT8, INT16, INT8
        let constant = tensor.buffer > 0 && model.buffers[tensor.buffer].range != nil
        return tensor.quantization?.isPresent == true || !constant
    }
}
