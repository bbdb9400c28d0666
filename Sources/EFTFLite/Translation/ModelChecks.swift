// What is refused before translation, all at once: operators without a translator (custom
// ops included), named with their operator indices, and operators that compute on TFLite's
// int8/uint8 quantized tensors (only QUANTIZE/DEQUANTIZE at a float graph's boundary are read).

import EFCore

enum ModelChecks {
    /// Operators quantized tensors may flow through.
    static let quantBoundary: Set<Int32> = [BuiltinOperator.quantize, BuiltinOperator.dequantize]

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

    /// Throws one `.unsupported` error listing the run-time quantized tensors that operators other
    /// than QUANTIZE/DEQUANTIZE read or write.
    static func checkQuantizedTensors(_ model: TFLiteModel, _ graph: TFLiteSubgraph) throws {
        var names: [String] = []
        for op in graph.operators {
            guard !quantBoundary.contains(model.operatorCodes[op.opcodeIndex].builtinCode) else { continue }
            for index in op.inputs + op.outputs where index >= 0 {
                let tensor = graph.tensors[index]
                let quantizedType = [3, 7, 9].contains(tensor.typeCode)   // UINT8, INT16, INT8
                let constant = tensor.buffer > 0 && model.buffers[tensor.buffer].range != nil
                if quantizedType, !constant || tensor.quantization?.isPresent == true,
                   !names.contains(tensor.name) { names.append(tensor.name) }
            }
        }
        guard !names.isEmpty else { return }
        let shown = names.prefix(8).map { "'\($0)'" }.joined(separator: ", ")
        throw EdgeflowError(.unsupported, "the TFLite model computes on quantized tensors (\(names.count): \(shown)"
            + (names.count > 8 ? " and \(names.count - 8) more" : "") + "); Edgeflow imports float TFLite models "
            + "(float32, float16 or int8 weights with DEQUANTIZE)",
            hint: "use the float version of the model")
    }
}
