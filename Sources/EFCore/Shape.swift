// Helpers on shapes, which are plain `[Int]` arrays in row-major (C) order.

extension Array where Element == Int {
    /// Number of elements of a tensor with this shape (1 for a scalar `[]`).
    public var elementCount: Int { reduce(1, *) }

    /// Row-major strides in elements.
    public var contiguousStrides: [Int] {
        var strides = [Int](repeating: 1, count: count)
        var running = 1
        for axis in stride(from: count - 1, through: 0, by: -1) {
            strides[axis] = running
            running *= self[axis]
        }
        return strides
    }

    /// The element count, or nil if it overflows or any dimension is negative.
    public var checkedElementCount: Int? {
        var total = 1
        for dim in self {
            guard dim >= 0 else { return nil }
            let (product, overflow) = total.multipliedReportingOverflow(by: dim)
            if overflow { return nil }
            total = product
        }
        return total
    }

    /// Shape written as `[1, 3, 224, 224]`.
    public var shapeDescription: String { "[" + map(String.init).joined(separator: ", ") + "]" }
}

/// Normalizes a possibly negative axis for a tensor of the given rank.
/// - Throws: `EdgeflowError.invalidModel` when the axis is out of range.
public func normalizeAxis(_ axis: Int, rank: Int, context: String = "axis") throws -> Int {
    let normalized = axis < 0 ? axis + rank : axis
    guard normalized >= 0 && normalized < Swift.max(rank, 1) else {
        throw EdgeflowError(.invalidModel, "\(context) \(axis) is out of range for rank \(rank)")
    }
    return normalized
}

/// Numpy-style broadcast of two shapes.
/// - Throws: `EdgeflowError.invalidModel` when the shapes are incompatible.
public func broadcastShapes(_ a: [Int], _ b: [Int]) throws -> [Int] {
    let rank = Swift.max(a.count, b.count)
    var result = [Int](repeating: 1, count: rank)
    for i in 0..<rank {
        let da = i < rank - a.count ? 1 : a[i - (rank - a.count)]
        let db = i < rank - b.count ? 1 : b[i - (rank - b.count)]
        if da == db || db == 1 {
            result[i] = da
        } else if da == 1 {
            result[i] = db
        } else {
            throw EdgeflowError(.invalidModel,
                "shapes \(a.shapeDescription) and \(b.shapeDescription) cannot be broadcast together")
        }
    }
    return result
}
