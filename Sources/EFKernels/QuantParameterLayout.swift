// Where the scale and zero point of each element of a quantized tensor live: one for the whole
// tensor, one per index along an axis, or one per block of `blockSize` indices along an axis
// (the scale then has the input's rank with that axis shrunk to ceil(dim / blockSize)).

import EFCore

/// The mapping from elements of a tensor to entries of its scale / zero-point tensors.
struct QuantParameterLayout {
    enum Granularity { case perTensor, perAxis, blocked(Int) }

    let granularity: Granularity
    /// The tensor viewed as [outer, axisLength, inner] around the quantization axis.
    let outer: Int, axisLength: Int, inner: Int

    /// - Parameters:
    ///   - shape: the quantized tensor's shape; `scaleShape` its scale's.
    ///   - axis: the quantization axis (may be negative); ignored per tensor.
    ///   - blockSize: 0 for per-tensor or per-axis.
    /// - Throws: `EdgeflowError.invalidInput` naming `op` when the scale shape fits none of the
    ///   three layouts or the axis is out of range.
    init(shape: [Int], scaleShape: [Int], axis: Int, blockSize: Int, op: String) throws {
        let scaleCount = scaleShape.elementCount
        if blockSize == 0 && scaleCount == 1 && scaleShape.count <= 1 {
            granularity = .perTensor
            (outer, axisLength, inner) = (1, 1, shape.elementCount)
            return
        }
        guard !shape.isEmpty else {
            throw EdgeflowError(.invalidInput,
                "\(op): a scalar input takes a single scale, got \(scaleShape.shapeDescription)")
        }
        let a: Int
        do { a = try normalizeAxis(axis, rank: shape.count, context: "\(op) axis") } catch let error as EdgeflowError {
            throw EdgeflowError(.invalidInput, error.message)
        }
        outer = shape[..<a].reduce(1, *)
        axisLength = shape[a]
        inner = shape[(a + 1)...].reduce(1, *)
        if blockSize == 0 {
            guard scaleShape == [shape[a]] else {
                throw EdgeflowError(.invalidInput,
                    "\(op): scale \(scaleShape.shapeDescription) must be a scalar or [\(shape[a])] "
                        + "(one per index of axis \(a) of \(shape.shapeDescription))")
            }
            granularity = .perAxis
        } else {
            var expected = shape
            expected[a] = (shape[a] + blockSize - 1) / max(blockSize, 1)
            guard blockSize > 0, scaleShape == expected else {
                throw EdgeflowError(.invalidInput,
                    "\(op): blocked scale \(scaleShape.shapeDescription) must be \(expected.shapeDescription) "
                        + "for block size \(blockSize) on axis \(a)")
            }
            granularity = .blocked(blockSize)
        }
    }

    /// Calls `body(parameterIndex, elementRange)` for consecutive runs of elements that share
    /// one scale entry, in element order.
    func forEachRun(_ body: (Int, Range<Int>) -> Void) {
        switch granularity {
        case .perTensor:
            body(0, 0..<inner)
        case .perAxis:
            for o in 0..<outer {
                for a in 0..<axisLength {
                    let start = (o * axisLength + a) * inner
                    body(a, start..<start + inner)
                }
            }
        case .blocked(let size):
            let blocks = (axisLength + size - 1) / size
            for o in 0..<outer {
                for a in 0..<axisLength {
                    let start = (o * axisLength + a) * inner
                    let base = (o * blocks + a / size) * inner
                    for i in 0..<inner { body(base + i, start + i..<start + i + 1) }
                }
            }
        }
    }
}
