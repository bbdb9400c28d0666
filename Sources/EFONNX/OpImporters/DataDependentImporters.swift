// ONNX ops whose output shape depends on their input values: NonZero and Unique. Edgeflow's
// shapes are static, so these are computed at import when their input is known then (a
// constant, a folded shape computation, or a graph input fixed with --input-value) and become
// constants; otherwise the importer reports the input as an operand that must be constant,
// naming the graph inputs it comes from. NonMaxSuppression stays refused.

import EFCore
import EFIR
import EFKernels

enum DataDependentImporters {
    static let table: [String: OpImporter] = ["NonZero": importNonZero, "Unique": importUnique]

    /// NonZero: the int64 [rank, count] positions of the nonzero elements in row-major order (a
    /// scalar counts as [1], as numpy does).
    static func importNonZero(_ node: OnnxNode, _ ctx: ImportContext) throws {
        let x = try ctx.requiredConstantInput(node, 0, "X")
        let flat = try Kernels.cast(x, to: .bool).withUnsafeBytes { bytes in bytes.indices.filter { bytes[$0] != 0 } }
        let shape = x.shape.isEmpty ? [1] : x.shape
        _ = try ConstantTensors.checkedCount(Double(shape.count) * Double(flat.count), ctx, node, elementSize: 8)
        var positions = [Int64](repeating: 0, count: shape.count * flat.count)
        for (column, index) in flat.enumerated() {
            var rest = index
            for axis in stride(from: shape.count - 1, through: 0, by: -1) {
                positions[axis * flat.count + column] = Int64(rest % shape[axis])
                rest /= shape[axis]
            }
        }
        ctx.addWeight(try ElementwiseImporters.output(node),
                      Tensor(shape: [shape.count, flat.count], scalars: positions))
    }

    /// Unique: the distinct elements (or slices along `axis`) of X, sorted ascending
    /// (lexicographically for slices, NaN last) or in order of first occurrence (`sorted` = 0),
    /// with the first occurrence of each, each element's position among them, and their counts.
    static func importUnique(_ node: OnnxNode, _ ctx: ImportContext) throws {
        var x = try ctx.requiredConstantInput(node, 0, "X")
        let axis: Int
        if let declared = try node.attributeInt("axis") {
            axis = try LoweringSupport.axis(declared, rank: x.rank, node)
        } else {
            x = x.reshaped([x.count])
            axis = 0
        }
        let keys = try UniqueKeys(x, axis: axis)
        var order = Array(0..<keys.count)
        order.sort { keys.compare($0, $1) < 0 || (keys.compare($0, $1) == 0 && $0 < $1) }
        var groups: [[Int]] = []  // the positions of each distinct slice, in sorted order
        for position in order {
            if let first = groups.last?.first, keys.compare(first, position) == 0 {
                groups[groups.count - 1].append(position)
            } else {
                groups.append([position])
            }
        }
        if try node.attributeInt("sorted") ?? 1 == 0 { groups.sort { $0[0] < $1[0] } }
        var inverse = [Int64](repeating: 0, count: keys.count)
        for (index, group) in groups.enumerated() { for position in group { inverse[position] = Int64(index) } }
        let firsts = groups.map { Int64($0[0]) }
        let results = [try Kernels.gather(x, indices: Tensor(shape: [firsts.count], scalars: firsts), axis: axis),
                       Tensor(shape: [firsts.count], scalars: firsts), Tensor(shape: [keys.count], scalars: inverse),
                       Tensor(shape: [groups.count], scalars: groups.map { Int64($0.count) })]
        for (name, tensor) in zip(node.outputs, results) where !name.isEmpty { ctx.addWeight(name, tensor) }
    }
}

/// The slices of a tensor along one axis, compared element by element: integers exactly, floats
/// with NaN after every number and equal to other NaNs (numpy's unique).
private struct UniqueKeys {
    let count: Int
    private let length: Int
    private let integers: [Int]?, floats: [Double]
    private let inner: Int

    init(_ x: Tensor, axis: Int) throws {
        count = x.shape[axis]
        inner = x.shape[(axis + 1)...].reduce(1, *)
        length = x.shape[..<axis].reduce(1, *) * inner
        integers = x.dtype.isInteger ? try x.intValues("Unique input") : nil
        floats = integers == nil ? x.doubleValues() : []
    }

    private func element(_ slice: Int, _ k: Int) -> Int { ((k / inner) * count + slice) * inner + k % inner }

    /// −1, 0 or 1 as slice `a` sorts before, with or after slice `b`.
    func compare(_ a: Int, _ b: Int) -> Int {
        for k in 0..<length {
            let (i, j) = (element(a, k), element(b, k))
            if let integers {
                if integers[i] != integers[j] { return integers[i] < integers[j] ? -1 : 1 }
                continue
            }
            let (u, v) = (floats[i], floats[j])
            if u == v || (u.isNaN && v.isNaN) { continue }
            if u.isNaN { return 1 }
            if v.isNaN { return -1 }
            return u < v ? -1 : 1
        }
        return 0
    }
}
