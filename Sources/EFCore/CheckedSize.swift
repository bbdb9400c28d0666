// Size arithmetic on numbers that come from outside Edgeflow: shapes declared in a model, an
// `.npy` header or `graph.json`, counts in a protobuf or zip header, numbers on the command
// line. Every product, sum and conversion here reports overflow instead of trapping, and the
// error names the value and where it came from (`what`), so bad input is an invalid-input
// error and never a crash. Use it wherever a size is not already known to be small.

/// Checked size arithmetic. Every function throws an `EdgeflowError` of the given `kind`
/// (default `.invalidInput`) whose message starts with `what`, e.g. "graph input 'x'".
public enum CheckedSize {
    /// `a * b` for non-negative sizes.
    /// - Throws: when either is negative or the product does not fit in `Int`.
    public static func multiply(_ a: Int, _ b: Int, _ what: @autoclosure () -> String,
                                kind: EdgeflowError.Kind = .invalidInput) throws -> Int {
        guard a >= 0, b >= 0 else {
            throw EdgeflowError(kind, "\(what()): negative size (\(a) × \(b))")
        }
        let (product, overflow) = a.multipliedReportingOverflow(by: b)
        guard !overflow else {
            throw EdgeflowError(kind, "\(what()): \(a) × \(b) is too large (more than \(Int.max))")
        }
        return product
    }

    /// `a + b` for non-negative sizes or offsets.
    /// - Throws: when either is negative or the sum does not fit in `Int`.
    public static func add(_ a: Int, _ b: Int, _ what: @autoclosure () -> String,
                           kind: EdgeflowError.Kind = .invalidInput) throws -> Int {
        guard a >= 0, b >= 0 else {
            throw EdgeflowError(kind, "\(what()): negative size (\(a) + \(b))")
        }
        let (sum, overflow) = a.addingReportingOverflow(b)
        guard !overflow else {
            throw EdgeflowError(kind, "\(what()): \(a) + \(b) is too large (more than \(Int.max))")
        }
        return sum
    }

    /// The product of `factors` (1 for none), e.g. the element count of a shape.
    /// - Throws: when a factor is negative or the product does not fit in `Int`.
    public static func product(_ factors: [Int], _ what: @autoclosure () -> String,
                               kind: EdgeflowError.Kind = .invalidInput) throws -> Int {
        var total = 1
        for factor in factors {
            guard factor >= 0 else {
                throw EdgeflowError(kind, "\(what()): negative dimension \(factor) in \(factors.shapeDescription)")
            }
            let (next, overflow) = total.multipliedReportingOverflow(by: factor)
            guard !overflow else {
                throw EdgeflowError(kind,
                    "\(what()): shape \(factors.shapeDescription) has more than \(Int.max) elements")
            }
            total = next
        }
        return total
    }

    /// The element count of `shape`.
    /// - Throws: as `product`.
    public static func elementCount(_ shape: [Int], _ what: @autoclosure () -> String,
                                    kind: EdgeflowError.Kind = .invalidInput) throws -> Int {
        try product(shape, what(), kind: kind)
    }

    /// The byte count of a dense tensor of `dtype` and `shape`.
    /// - Throws: when a dimension is negative or the count does not fit in `Int`.
    public static func byteCount(_ shape: [Int], _ dtype: DType, _ what: @autoclosure () -> String,
                                 kind: EdgeflowError.Kind = .invalidInput) throws -> Int {
        let count = try product(shape, what(), kind: kind)
        let (bytes, overflow) = count.multipliedReportingOverflow(by: dtype.byteSize)
        guard !overflow else {
            throw EdgeflowError(kind,
                "\(what()): \(dtype.rawValue)\(shape.shapeDescription) is more than \(Int.max) bytes")
        }
        return bytes
    }

    /// Row-major strides in elements of `shape`.
    /// - Throws: as `shape`.
    public static func strides(_ shape: [Int], _ what: @autoclosure () -> String,
                               kind: EdgeflowError.Kind = .invalidInput) throws -> [Int] {
        _ = try self.shape(shape, what(), kind: kind)  // every suffix product then fits
        return shape.contiguousStrides
    }

    /// The most dimensions a shape read from a file may have (numpy's own limit is 64).
    public static let maxRank = 64

    /// Checks a shape declared outside Edgeflow and returns its element count: at most
    /// `maxRank` dimensions, none negative, and the product of the non-zero dimensions fits in
    /// `Int`, so that element counts, strides and every partial product of the shape are safe
    /// to compute with plain arithmetic even when a zero dimension makes the tensor empty
    /// (`[0, 1 << 62, 1 << 62]` is refused: its strides overflow).
    /// - Throws: naming `what` and the shape when one of these does not hold.
    @discardableResult
    public static func shape(_ shape: [Int], _ what: @autoclosure () -> String,
                             kind: EdgeflowError.Kind = .invalidInput) throws -> Int {
        guard shape.count <= maxRank else {
            throw EdgeflowError(kind, "\(what()): \(shape.count) dimensions, more than the \(maxRank) Edgeflow reads")
        }
        let count = try product(shape, what(), kind: kind)
        if count == 0, shape.filter({ $0 != 0 }).checkedElementCount == nil {
            throw EdgeflowError(kind, "\(what()): shape \(shape.shapeDescription) is empty but its other "
                                + "dimensions multiply to more than \(Int.max)")
        }
        return count
    }

    /// An integer read from a file (protobuf varint, zip field, JSON number) as `Int`.
    /// - Throws: when the value does not fit in `Int`.
    public static func int<T: BinaryInteger>(_ value: T, _ what: @autoclosure () -> String,
                                             kind: EdgeflowError.Kind = .invalidInput) throws -> Int {
        guard let result = Int(exactly: value) else {
            throw EdgeflowError(kind, "\(what()): \(value) does not fit in a 64-bit signed integer")
        }
        return result
    }

    /// A floating-point number as `Int`, rounded toward zero, never trapping.
    /// - Throws: for NaN, infinities and values outside `Int`'s range.
    public static func int(truncating value: Double, _ what: @autoclosure () -> String,
                           kind: EdgeflowError.Kind = .invalidInput) throws -> Int {
        // 2^63 is exactly representable; every double below it converts without trapping.
        guard value.isFinite, value > -9.223372036854775808e18, value < 9.223372036854775808e18 else {
            throw EdgeflowError(kind, "\(what()): \(value) is not a representable integer")
        }
        return Int(value)
    }

    /// `value` if it lies in `range`.
    /// - Throws: naming the range when it does not.
    @discardableResult
    public static func inRange(_ value: Int, _ range: ClosedRange<Int>, _ what: @autoclosure () -> String,
                               kind: EdgeflowError.Kind = .invalidInput) throws -> Int {
        guard range.contains(value) else {
            throw EdgeflowError(kind,
                "\(what()) must be between \(range.lowerBound) and \(range.upperBound), got \(value)")
        }
        return value
    }
}
