// How an int8 CLIP tower compares with the fp32 one it was made from: the cosine of their
// embeddings of held-out inputs (texts or photos), and the median time of one embedding with
// each, measured side by side in this process (`edgeflow models quantize` reports both).

import EFCore
import EFSearch
import EdgeflowRuntime
import Foundation

struct TowerCheck {
    /// Cosine of the two towers' outputs, one per input.
    var cosines: [Float]
    var fp32Milliseconds: Double
    var int8Milliseconds: Double

    /// Embeds `inputs` (one dictionary per held-out sample, keyed by the towers' input name) with
    /// both towers and times each on the first input.
    /// - Throws: the towers' errors; `EdgeflowError.invalidModel` for a non-finite or zero output;
    ///   `.invalidArgument` for no inputs.
    static func compare(fp32: EdgeflowModel, int8: EdgeflowModel, inputs: [[String: Tensor]]) throws -> TowerCheck {
        guard let first = inputs.first else { throw EdgeflowError(.invalidArgument, "no held-out inputs to compare") }
        func embedding(_ tower: EdgeflowModel, _ input: [String: Tensor]) throws -> [Float] {
            try CLIPModel.normalized(try tower.run(input)[tower.outputs[0].name], what: "the tower's output")
        }
        var cosines: [Float] = []
        for input in inputs {
            let a = try embedding(fp32, input), b = try embedding(int8, input)
            cosines.append(zip(a, b).reduce(0) { $0 + $1.0 * $1.1 })
        }
        func median(_ tower: EdgeflowModel) throws -> Double {
            var times: [Double] = []
            for _ in 0..<10 {
                let start = DispatchTime.now().uptimeNanoseconds
                _ = try tower.run(first)
                times.append(Double(DispatchTime.now().uptimeNanoseconds - start) / 1e6)
            }
            return times.sorted()[times.count / 2]
        }
        let fp32Time = try median(fp32), int8Time = try median(int8)
        return TowerCheck(cosines: cosines, fp32Milliseconds: fp32Time, int8Milliseconds: int8Time)
    }
}
