// The executable column of the conformance manifest: a case the reference interpreter passes
// is also optimized, compiled, written as an .efx, loaded by EdgeflowRuntime and run, and its
// outputs compared with the suite's by the same rule.

import EFCore
import EFIR
import EFONNX
import EFTestSupport

extension ConformanceCase {
    static func runExecutable(_ graph: Graph, _ inputs: [String: Tensor], _ outputs: [OnnxValueInfo],
                              _ expected: [Tensor]) -> CaseOutcome {
        do {
            let results = try ExecutableRoundTrip.run(graph, inputs)
            return mismatch(results, outputs, expected) ?? .pass
        } catch let error as EdgeflowError {
            return .skip("efx error: " + oneLine(error.message))
        } catch {
            return .skip("efx error: " + oneLine("\(error)"))
        }
    }
}
