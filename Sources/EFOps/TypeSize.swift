// The static type of a value (dtype and shape) and its one size check: every value's type must describe a tensor whose element and
// byte counts fit in `Int`, checked when shape inference produces it. Later stages (kernels,
// memory plan, budgets) can then use plain `elementCount` on the types of a verified graph.

import EFCore

/// The static type of a value: element type and shape.
public struct TensorType: Codable, Equatable, Hashable, Sendable, CustomStringConvertible {
    public var dtype: DType
    public var shape: [Int]

    public init(_ dtype: DType, _ shape: [Int]) {
        self.dtype = dtype
        self.shape = shape
    }

    public var description: String { "\(dtype.rawValue)\(shape.shapeDescription)" }
}

extension TensorType {
    /// The byte count of a dense tensor of this type.
    /// - Precondition: the type passed `checkSize` (true for every type in a verified graph).
    public var byteCount: Int { shape.elementCount * dtype.byteSize }

    /// Checks that no dim is negative and that the byte count fits in `Int` even with every zero
    /// dim counted as one, so each single dim (and each partial product) is bounded as well.
    /// - Returns: the byte count.
    /// - Throws: `EdgeflowError.invalidModel` naming `what`, e.g. "value 'y'".
    @discardableResult
    public func checkSize(_ what: @autoclosure () -> String) throws -> Int {
        if let negative = shape.first(where: { $0 < 0 }) {
            throw EdgeflowError(.invalidModel, "\(what()) has a negative dim \(negative) in \(self)")
        }
        _ = try CheckedSize.byteCount(shape.map { Swift.max($0, 1) }, dtype, what(), kind: .invalidModel)
        return byteCount
    }
}

/// Sums and products of dims inside shape rules, reporting overflow as an invalid model.
enum ShapeArithmetic {
    /// The sum of `terms` (any sign).
    /// - Throws: `EdgeflowError.invalidModel` naming `what` when the sum leaves `Int`.
    static func sum(_ terms: [Int], _ what: @autoclosure () -> String) throws -> Int {
        var total = 0
        for term in terms {
            let (next, overflow) = total.addingReportingOverflow(term)
            guard !overflow else {
                throw EdgeflowError(.invalidModel,
                    "\(what()): \(terms.map(String.init).joined(separator: " + ")) is too large")
            }
            total = next
        }
        return total
    }

    /// The product of non-negative `factors`.
    /// - Throws: `EdgeflowError.invalidModel` naming `what` when it overflows or a factor is negative.
    static func product(_ factors: [Int], _ what: @autoclosure () -> String) throws -> Int {
        try CheckedSize.product(factors, what(), kind: .invalidModel)
    }
}
