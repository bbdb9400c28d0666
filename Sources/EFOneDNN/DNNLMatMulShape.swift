// The geometry of a batched matrix product in numpy conventions (broadcast batch dims),
// checked and translated into the equal-rank descriptors oneDNN's matmul takes.

import EFCore

/// Shapes of C[batch..., M, N] = A[batch..., M, K] · B[batch..., K, N]; A and B have rank
/// ≥ 2 and their batch dims broadcast numpy-style (a dim of 1 repeats).
public struct DNNLMatMulShape: Sendable, Equatable, CustomStringConvertible {
    public var a: [Int]
    public var b: [Int]

    public init(a: [Int], b: [Int]) {
        self.a = a
        self.b = b
    }

    public var description: String { "matMul \(a.shapeDescription) · \(b.shapeDescription)" }

    /// Checks the shapes and returns the equal-rank dims oneDNN takes.
    /// - Throws: `EdgeflowError.unsupported` naming the shapes and the reason.
    func resolved() throws -> ResolvedMatMul {
        func fail(_ reason: String) -> EdgeflowError {
            EdgeflowError(.unsupported, "oneDNN \(description): \(reason)", hint: "run this op with the reference kernel")
        }
        guard a.count >= 2, b.count >= 2 else { throw fail("both operands need rank ≥ 2 (reshape vectors first)") }
        let rank = max(a.count, b.count)
        guard rank <= 12 else { throw fail("oneDNN takes at most 12 dims") }
        guard (a + b).allSatisfy({ (1...(1 << 24)).contains($0) }) else { throw fail("dims must be 1...2^24") }
        guard a[a.count - 1] == b[b.count - 2] else { throw fail("inner dims \(a[a.count - 1]) and \(b[b.count - 2]) differ") }
        let batch: [Int]
        do { batch = try broadcastShapes(Array(a.dropLast(2)), Array(b.dropLast(2))) } catch {
            throw fail("batch dims do not broadcast")
        }
        let pad = { (dims: [Int]) in [Int](repeating: 1, count: rank - dims.count) + dims }
        let output = batch + [a[a.count - 2], b[b.count - 1]]
        let volumes = [pad(a), pad(b), output].map { $0.reduce(1.0) { $0 * Double($1) } }
        guard volumes.allSatisfy({ $0 < Double(1 << 40) }) else { throw fail("tensors would exceed 2^40 elements") }
        return ResolvedMatMul(a: pad(a), b: pad(b), output: output)
    }
}

/// Equal-rank dims of a checked matmul.
struct ResolvedMatMul {
    let a: [Int], b: [Int], output: [Int]

    var rank: Int { output.count }
    var n: Int { output[rank - 1] }
    /// Bias [N] as oneDNN wants it: [1, ..., 1, N].
    var biasDims: [Int] { [Int](repeating: 1, count: rank - 1) + [n] }

    /// Physical order of B: row-major, or with the last two axes swapped (B given as [..., N, K]).
    func bOrder(transposed: Bool) -> [Int] {
        let lead = Array(0..<(rank - 2))
        return lead + (transposed ? [rank - 1, rank - 2] : [rank - 2, rank - 1])
    }
}
