// Input shapes a caller chooses for a TFLite model (`edgeflow parse --input-shape`): a graph
// input may take another size only where its shape signature says −1 (a batch or a length the
// converter left open). The declared shape is replaced before translation, and every later
// shape follows from the graph (PlaceholderShapes.swift), as when LiteRT resizes an input.

import EFCore

enum InputShapes {
    /// Replaces the declared shapes of the named graph inputs.
    /// - Throws: `.invalidArgument` for a name that is not a graph input, another rank, a
    ///   non-positive size, or a change where the signature fixes the dimension.
    static func apply(_ shapes: [String: [Int]], to graph: inout TFLiteSubgraph) throws {
        let names = graph.inputs.filter { $0 >= 0 && $0 < graph.tensors.count }.map { graph.tensors[$0].name }
        for (name, shape) in shapes.sorted(by: { $0.key < $1.key }) {
            guard let index = graph.inputs.first(where: { $0 >= 0 && $0 < graph.tensors.count
                                                          && graph.tensors[$0].name == name }) else {
                throw EdgeflowError(.invalidArgument, "--input-shape names '\(name)', which is not an input of the "
                    + "model", hint: "its inputs: \(names.joined(separator: ", "))")
            }
            let tensor = graph.tensors[index]
            let signature = tensor.shapeSignature ?? tensor.shape
            guard shape.count == tensor.shape.count, shape.allSatisfy({ $0 > 0 }),
                  zip(signature, shape).allSatisfy({ $0 == -1 || $0 == $1 }) else {
                throw EdgeflowError(.invalidArgument, "--input-shape \(name)=\(shape): the model declares "
                    + "\(tensor.shape) with signature \(signature); only the −1 dimensions may change")
            }
            _ = try CheckedSize.product(shape, "input '\(name)'", kind: .invalidArgument)
            graph.tensors[index].shape = shape
        }
    }
}
