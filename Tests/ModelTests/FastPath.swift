// The deploy path as `edgeflow compile` + `edgeflow run` take it: optimize the float graph,
// compile it, write the .efx, load it with the deploy-only runtime and run it.

import EFCore
import EFIR
import EFTestSupport

enum FastPath {
    static func run(_ graph: Graph, _ inputs: [String: Tensor]) throws -> [String: Tensor] {
        try ExecutableRoundTrip.run(graph, inputs)
    }
}
