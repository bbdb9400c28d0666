// Bias folding for matMul: a constant add right after a matMul, shaped [N] or [1, ..., 1, N]
// (N = the product's last dim), becomes the matMul's `bias` input (the IR's fused form).

import EFCore
import EFIR

enum MatMulBiasFolding {
    static func run(_ graph: Graph) -> PassOutcome {
        let index = GraphIndex(graph)
        var rewriter = GraphRewriter(graph)
        var folded = 0
        for position in graph.nodes.indices {
            guard let matMul = rewriter[position], matMul.op == .matMul, matMul.inputs.count == 2,
                  matMul.params.fusedActivation == nil,
                  let output = matMul.outputs.first, let type = graph.types[output], let width = type.shape.last,
                  let readerIndex = index.soleReader(of: output), let add = rewriter[readerIndex],
                  add.isBinary(.add), graph.types[add.outputs[0]] == type,
                  let other = add.otherOperand(than: output), let constant = graph.weights[other],
                  constant.dtype == type.dtype, constant.rank <= type.shape.count,
                  constant.shape.last == width, constant.count == width
            else { continue }
            var fused = matMul
            let bias = constant.rank == 1 ? other
                : rewriter.addWeight(constant.reshaped([width]), named: "\(matMul.name)/bias")
            fused.inputs.append(bias)
            fused.outputs = add.outputs
            fused.originalNames += add.originalNames
            rewriter.replace(chain: [position, readerIndex], with: fused)
            folded += 1
        }
        return PassOutcome(graph: rewriter.finish(), changes: folded)
    }
}
