// ONNX Det: the determinant of each square matrix in a batch, by LU decomposition with partial
// pivoting (what numpy's det does through LAPACK), in Double.

import EFCore

extension Kernels {
    /// The determinants of `x` [..., M, M] (float) as [...] of x's dtype.
    /// - Throws: `EdgeflowError.invalidInput` when x is not float or its last two dims are not
    ///   one square matrix size.
    public static func determinant(_ x: Tensor) throws -> Tensor {
        let shape = try determinantShape(x.shape)
        guard x.dtype.isFloatingPoint else {
            throw EdgeflowError(.invalidInput, "det: x must be float, got \(x.dtype.rawValue)")
        }
        let size = x.shape[x.rank - 1], values = x.doubleValues()
        let matrices = shape.elementCount
        var results = [Double](repeating: 1, count: matrices)
        var lu = [Double](repeating: 0, count: size * size)
        for m in 0..<matrices where size > 0 {
            lu.replaceSubrange(0..<lu.count, with: values[(m * size * size)..<((m + 1) * size * size)])
            results[m] = luDeterminant(&lu, size)
        }
        return saturatingTensor(from: results, shape: shape, dtype: x.dtype)
    }

    /// The output shape of det: x's shape without its last two dims.
    /// - Throws: `EdgeflowError.invalidInput` unless x is [..., M, M].
    public static func determinantShape(_ x: [Int]) throws -> [Int] {
        guard x.count >= 2, x[x.count - 1] == x[x.count - 2] else {
            throw EdgeflowError(.invalidInput, "det: x \(x.shapeDescription) must be [..., M, M]")
        }
        return Array(x.dropLast(2))
    }

    /// Eliminates `a` (row-major, size × size) in place and returns the product of the pivots
    /// with the sign of the row swaps.
    private static func luDeterminant(_ a: inout [Double], _ size: Int) -> Double {
        var determinant = 1.0
        for column in 0..<size {
            var pivot = column
            for row in (column + 1)..<size where abs(a[row * size + column]) > abs(a[pivot * size + column]) {
                pivot = row
            }
            if pivot != column {
                for k in 0..<size { a.swapAt(column * size + k, pivot * size + k) }
                determinant = -determinant
            }
            let diagonal = a[column * size + column]
            determinant *= diagonal
            guard diagonal != 0 else { return determinant * 0 }
            for row in (column + 1)..<size {
                let factor = a[row * size + column] / diagonal
                for k in column..<size { a[row * size + k] -= factor * a[column * size + k] }
            }
        }
        return determinant
    }
}
