// ONNX GridSample over any number of spatial axes (4-D images, 5-D volumes, ...): each output
// position reads the input at the normalized position the grid gives, interpolated per axis
// (GridSampleParameters.swift) as the product of the axes' tap weights, in Double.

import EFCore

extension Kernels {
    /// Samples `x` [N, C, D1...Dr] at the positions of `grid` [N, O1...Or, r] (normalized to
    /// [-1, 1], innermost axis first: x, y, z) and returns [N, C, O1...Or] of x's dtype.
    ///
    /// Any numeric x (and bool in nearest mode); float grid. Values are computed in Double and
    /// converted back: float dtypes round to nearest, integers truncate toward zero as the ONNX
    /// reference's cast does, then saturate.
    /// - Throws: `EdgeflowError.invalidInput` when the ranks, batch or last grid dim disagree,
    ///   the grid is not float, or the output would be too large.
    public static func gridSample(_ x: Tensor, _ grid: Tensor, _ parameters: GridSampleParameters) throws -> Tensor {
        let shape = try gridSampleShape(x.shape, grid.shape)
        guard grid.dtype.isFloatingPoint else {
            throw EdgeflowError(.invalidInput, "gridSample: grid must be a float tensor, got \(grid.dtype.rawValue)")
        }
        guard x.dtype != .bool || parameters.mode == .nearest else {
            throw EdgeflowError(.invalidInput, "gridSample: \(parameters.mode.rawValue) mode needs a numeric input")
        }
        guard let count = shape.checkedElementCount,
              !count.multipliedReportingOverflow(by: MemoryLayout<Double>.size).overflow else {
            throw EdgeflowError(.invalidInput, "gridSample: output shape \(shape.shapeDescription) is too large")
        }
        guard count > 0 else { return Tensor(zeros: x.dtype, shape: shape) }
        guard x.count > 0 else {
            throw EdgeflowError(.invalidInput, "gridSample: cannot sample the empty input \(x.shape.shapeDescription)")
        }
        let spatial = Array(x.shape[2...]), rank = spatial.count
        let batch = shape[0], channels = shape[1]
        let positions = count / max(batch * channels, 1), plane = spatial.elementCount
        let axes = spatial.map { GridSampleAxis(size: $0, parameters) }
        let tapsPerAxis = parameters.mode == .nearest ? 1 : parameters.mode == .linear ? 2 : 4
        let source = x.doubleValues(), coordinates = grid.doubleValues()
        let single = grid.dtype != .float64
        var strides = [Int](repeating: 1, count: rank)
        for axis in stride(from: rank - 2, through: 0, by: -1) { strides[axis] = strides[axis + 1] * spatial[axis + 1] }
        var values = [Double](repeating: 0, count: count)
        var indices: [Int?] = [], weights: [Double] = []
        var offsets: [Int] = [], products: [Double] = []
        for n in 0..<batch {
            for p in 0..<positions {
                indices.removeAll(keepingCapacity: true)
                weights.removeAll(keepingCapacity: true)
                let base = (n * positions + p) * rank
                for axis in 0..<rank {  // grid lists the innermost axis first
                    axes[axis].taps(coordinates[base + rank - 1 - axis], single: single,
                                    indices: &indices, weights: &weights)
                }
                combine(indices, weights, tapsPerAxis, strides, offsets: &offsets, products: &products)
                for c in 0..<channels {
                    let input = (n * channels + c) * plane
                    var sum = 0.0
                    for (offset, weight) in zip(offsets, products) { sum += weight * source[input + offset] }
                    values[(n * channels + c) * positions + p] = sum
                }
            }
        }
        if !x.dtype.isFloatingPoint {
            for i in values.indices { values[i].round(.towardZero) }
        }
        return saturatingTensor(from: values, shape: shape, dtype: x.dtype)
    }

    /// The output shape [N, C, O1...Or] of gridSample.
    /// - Throws: `EdgeflowError.invalidInput` when x and grid differ in rank or batch, the rank
    ///   is below 3, or grid's last dim is not the number of spatial axes.
    public static func gridSampleShape(_ x: [Int], _ grid: [Int]) throws -> [Int] {
        guard x.count >= 3, grid.count == x.count, grid.last == x.count - 2, grid[0] == x[0] else {
            throw EdgeflowError(.invalidInput,
                "gridSample: input \(x.shapeDescription) and grid \(grid.shapeDescription) must be [N, C, D1...Dr] "
                + "and [N, O1...Or, r]")
        }
        return [x[0], x[1]] + Array(grid[1..<(grid.count - 1)])
    }

    /// The flat input offsets and weights of every combination of the axes' taps; taps that
    /// read zero are left out.
    private static func combine(_ indices: [Int?], _ weights: [Double], _ width: Int, _ strides: [Int],
                                offsets: inout [Int], products: inout [Double]) {
        offsets.removeAll(keepingCapacity: true)
        products.removeAll(keepingCapacity: true)
        offsets.append(0)
        products.append(1)
        for axis in strides.indices {
            let count = offsets.count
            for k in 0..<width {
                guard let index = indices[axis * width + k] else { continue }
                let weight = weights[axis * width + k]
                for j in 0..<count {
                    offsets.append(offsets[j] + index * strides[axis])
                    products.append(products[j] * weight)
                }
            }
            offsets.removeFirst(count)
            products.removeFirst(count)
        }
    }
}
