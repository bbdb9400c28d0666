// The fuzz target of the runtime loop's parameters, the one op whose parameters hold a graph (its
// body, as JSON inside JSON): the input is a loop node's parameters as graph.json and an
// executable's PROG write them. They are decoded with every check, re-encoded and decoded again
// (the same JSON must come back), then the shape rule types the body for small made-up
// inputs. Seeds: the loop nodes `edgeflow parse` made of the runtime-loop goldens' models.

import EFCore
import EFIR
import EdgeflowRuntime
import Foundation

enum LoopFuzzTarget {
    static let params = FuzzTarget(name: "loop-params",
        summary: "loop parameters JSON → OpParameters(.loop) (body checks), round trip, shape rule on small inputs"
    ) { data in
        let attributes: Attributes
        do {
            attributes = try ExecutableJSON.decoder.decode(Attributes.self, from: data)
        } catch {
            throw EdgeflowError(.invalidModel, "not parameters: \(error)")
        }
        let decoded = try OpParameters(.loop, attributes)
        // Compared as JSON, where a NaN parameter equals itself.
        let once = try ExecutableJSON.encoder.encode(decoded.attributes)
        let twice = try ExecutableJSON.encoder.encode(try OpParameters(.loop, decoded.attributes).attributes)
        guard once == twice, case .loop(let loop) = decoded else {
            throw EdgeflowError(.internalError, "loop parameters do not survive re-encoding: "
                + "\(String(decoding: once, as: UTF8.self)) became \(String(decoding: twice, as: UTF8.self))")
        }
        guard loop.invariantCount <= 64, loop.carriedCount <= 64,
              loop.scanInputAxes.allSatisfy({ (0..<4).contains($0) }) else { return }
        let small = TensorType(.float32, [2])
        let scanned = loop.scanInputAxes.map { axis in
            var shape = [Int](repeating: 2, count: max(2, axis + 1))
            shape[axis] = loop.tripCount
            return TensorType(.float32, shape)
        }
        let condition = loop.checksInitialCondition ? [TensorType(.bool, [])] : []
        let inputs = condition + [TensorType](repeating: small, count: loop.carriedCount) + scanned
            + [TensorType](repeating: small, count: loop.invariantCount)
        _ = try OpShapes.infer(OpInstance(decoded, outputCount: loop.carriedCount + loop.scanOutputAxes.count),
                               inputTypes: inputs)
    }
}
