// Epilogue fusion into conv and matMul (the IR's fused form, see OpType.conv / .matMul):
// conv → add(residual shaped like the output) → activation, conv → activation and
// matMul → activation become one node. Every intermediate value must have a single reader
// and not be a graph output; the fused node takes the position of the last fused node, so the
// residual is always computed before it.

import EFCore
import EFIR
import EFKernels

enum ActivationFusion {
    /// Unary fns the fused epilogue may apply.
    static let fusable: Set<UnaryFunction> = [
        .relu, .leakyRelu, .clip, .sigmoid, .tanh, .gelu, .geluTanh, .hardSwish, .hardSigmoid, .elu,
    ]

    static func run(_ graph: Graph) -> PassOutcome {
        let index = GraphIndex(graph)
        var rewriter = GraphRewriter(graph)
        var fused = 0
        for position in graph.nodes.indices {
            guard var node = rewriter[position], node.op == .conv || node.op == .matMul,
                  node.params.fusedActivation == nil, let output = node.outputs.first,
                  let type = graph.types[output], type.dtype.isFloatingPoint else { continue }
            var chain = [position], tail = output
            if node.op == .conv, node.inputs.count <= 3, let addIndex = index.soleReader(of: tail),
               let add = rewriter[addIndex], add.isBinary(.add), let residual = add.otherOperand(than: tail),
               graph.types[residual] == type, graph.types[add.outputs[0]] == type {
                while node.inputs.count < 3 { node.inputs.append("") }
                node.inputs.append(residual)
                chain.append(addIndex)
                tail = add.outputs[0]
                node.originalNames += add.originalNames
            }
            if let activationIndex = index.soleReader(of: tail), let activation = rewriter[activationIndex],
               let fn = activation.unaryFunction, fusable.contains(fn), let constants = activation.unaryConstants {
                let fused = FusedActivation(fn, alpha: constants.alpha, beta: constants.beta)
                switch node.params {
                case .conv(var conv): conv.activation = fused; node.params = .conv(conv)
                case .matMul(var matMul): matMul.activation = fused; node.params = .matMul(matMul)
                default: continue
                }
                chain.append(activationIndex)
                tail = activation.outputs[0]
                node.originalNames += activation.originalNames
            }
            guard chain.count > 1 else { continue }
            node.outputs = [tail]
            rewriter.replace(chain: chain, with: node)
            fused += chain.count - 1
        }
        return PassOutcome(graph: rewriter.finish(), changes: fused)
    }
}
