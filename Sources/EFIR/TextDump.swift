// A readable text listing of a graph, one line per node, for `edgeflow inspect --graph`.

import EFCore

extension Graph {
    /// The graph as text: inputs, weights summary, one line per node, outputs.
    ///
    /// Example line: `conv1 = conv(x, w1, b1) {group: 1, pads: [1,1,1,1]} -> float32[1, 64, 112, 112]`
    public func textDump(includeWeights: Bool = false) -> String {
        var lines: [String] = ["graph \(name) (stage \(stage.rawValue))"]
        for input in inputs {
            lines.append("  input  \(input): \(types[input].map { $0.description } ?? "?")")
        }
        if includeWeights {
            for name in weights.keys.sorted() {
                lines.append("  weight \(name): \(types[name].map { $0.description } ?? "?")")
            }
        } else {
            lines.append("  \(weights.count) weights, \(weightElementCount) elements")
        }
        for node in nodes {
            let args = node.inputs.map { $0.isEmpty ? "_" : $0 }.joined(separator: ", ")
            let params = node.attributes.values.keys.sorted()
                .map { "\($0): \(node.attributes.values[$0]!)" }.joined(separator: ", ")
            let results = node.outputs.map { output in
                "\(output): \(types[output].map { $0.description } ?? "?")"
            }.joined(separator: ", ")
            let paramText = params.isEmpty ? "" : " {\(params)}"
            let condition = node.runsWhen.isEmpty
                ? "" : " when " + node.runsWhen.map(\.description).joined(separator: " and ")
            lines.append("  \(node.name) = \(node.op.rawValue)(\(args))\(paramText) -> \(results)\(condition)")
        }
        for output in outputs {
            lines.append("  output \(output): \(types[output].map { $0.description } ?? "?")")
        }
        return lines.joined(separator: "\n")
    }
}
