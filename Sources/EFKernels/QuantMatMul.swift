// Integer matrix products: MatMulInteger (int32 result of zero-point-shifted int8/uint8
// operands) and QLinearMatMul (the same, requantized), plus the int32 GEMM and helpers the
// quantized convolutions share. Integer arithmetic is exact (wrapping int32, as numpy).

import EFCore

extension Kernels {
    /// (a − aZeroPoint) · (b − bZeroPoint) in int32, numpy matmul shapes and broadcasting.
    ///
    /// - Parameters: a, b int8 or uint8; aZeroPoint a scalar of a's dtype; bZeroPoint a scalar or
    ///   [N] (per column) of b's dtype.
    /// - Throws: `EdgeflowError.invalidInput` for other dtypes or shapes.
    public static func matMulInteger(_ a: Tensor, _ b: Tensor, aZeroPoint: Tensor?, bZeroPoint: Tensor?) throws -> Tensor {
        let layout = try MatMulLayout(a.shape, b.shape)
        let sa = try shiftedInt32(a, zeroPoint: aZeroPoint, perAxis: nil, role: "matMulInteger a")
        let sb = try shiftedInt32(b, zeroPoint: bZeroPoint, perAxis: b.rank - 1, role: "matMulInteger b")
        return try integerMatMul(sa, sb, layout)
    }

    /// QLinearMatMul: the int32 product of the shifted operands, times
    /// aScale·bScale/yScale (computed in the scales' dtype), plus yZeroPoint, rounded half to
    /// even and saturated to yZeroPoint's dtype.
    ///
    /// - Parameters: a, b int8/uint8; a's scale and zero point scalars; b's scalars or [N] per
    ///   column; yScale and yZeroPoint scalars (yZeroPoint int8 or uint8).
    /// - Throws: `EdgeflowError.invalidInput` for other dtypes or shapes.
    public static func qlinearMatMul(a: Tensor, aScale: Tensor, aZeroPoint: Tensor?, b: Tensor, bScale: Tensor,
                                     bZeroPoint: Tensor?, yScale: Tensor, yZeroPoint: Tensor?) throws -> Tensor {
        let layout = try MatMulLayout(a.shape, b.shape)
        let sa = try shiftedInt32(a, zeroPoint: aZeroPoint, perAxis: nil, role: "qlinearMatMul a")
        let sb = try shiftedInt32(b, zeroPoint: bZeroPoint, perAxis: b.rank - 1, role: "qlinearMatMul b")
        let accumulators = try integerMatMul(sa, sb, layout)
        let multipliers = try requantMultipliers(aScale, bScale, yScale, channels: layout.n, op: "qlinearMatMul")
        // Columns are the last axis of the result (a vector b leaves one column).
        let columns = b.rank == 1 ? 1 : layout.n
        return try requantize(accumulators, multipliers: multipliers, inner: 1, channels: columns,
                              zeroPoint: yZeroPoint, fallback: a.dtype, op: "qlinearMatMul")
    }

    private static func integerMatMul(_ a: Tensor, _ b: Tensor, _ layout: MatMulLayout) throws -> Tensor {
        let (m, k, n) = (layout.m, layout.k, layout.n)
        let out = try makeOutput(.int32, layout.outputShape, "matMulInteger")
        let pa = a.elements(Int32.self), pb = b.elements(Int32.self)
        let pc = out.mutableElements(Int32.self)
        for (index, pair) in layout.batchPairs().enumerated() {
            integerGemm(m: m, n: n, k: k, a: pa + pair.0 * m * k, lda: k, b: pb + pair.1 * k * n, ldb: n,
                        c: pc + index * m * n, ldc: n)
        }
        return out
    }

    /// C[m×n] = A·B (row-major, leading dims given) with wrapping int32 arithmetic. Columns are
    /// processed in chunks so the B chunk stays in cache; the inner loop is a contiguous axpy.
    static func integerGemm(m: Int, n: Int, k: Int, a: UnsafePointer<Int32>, lda: Int, b: UnsafePointer<Int32>,
                            ldb: Int, c: UnsafeMutablePointer<Int32>, ldc: Int) {
        let chunk = 512
        for jc in stride(from: 0, to: n, by: chunk) {
            let width = min(chunk, n - jc)
            for i in 0..<m {
                let row = c + i * ldc + jc
                row.update(repeating: 0, count: width)
                for p in 0..<k {
                    let scale = a[i * lda + p]
                    if scale == 0 { continue }
                    let source = b + p * ldb + jc
                    for j in 0..<width { row[j] &+= scale &* source[j] }
                }
            }
        }
    }

    /// `x − zeroPoint` as int32, for int8/uint8 x. The zero point is a scalar, or,
    /// when `perAxis` is given, may also hold one value per index of that axis.
    static func shiftedInt32(_ x: Tensor, zeroPoint: Tensor?, perAxis: Int?, role: String) throws -> Tensor {
        guard x.dtype == .int8 || x.dtype == .uint8 else {
            throw EdgeflowError(.invalidInput, "\(role) must be int8 or uint8, got \(x.dtype.rawValue)")
        }
        let values = try x.intValues()
        guard let zeroPoint else { return Tensor(shape: x.shape, scalars: values.map { Int32($0) }) }
        guard zeroPoint.dtype == x.dtype else {
            throw EdgeflowError(.invalidInput,
                "\(role) zero point is \(zeroPoint.dtype.rawValue) but the operand is \(x.dtype.rawValue)")
        }
        let zeros = try zeroPoint.intValues()
        if zeros.count == 1 && zeroPoint.rank <= 1 {
            return Tensor(shape: x.shape, scalars: values.map { Int32($0 - zeros[0]) })
        }
        guard let axis = perAxis, axis >= 0, axis < x.rank, zeroPoint.shape == [x.shape[axis]] else {
            let perAxisShape = perAxis.flatMap { $0 >= 0 && $0 < x.rank ? " or [\(x.shape[$0])]" : nil } ?? ""
            throw EdgeflowError(.invalidInput,
                "\(role) zero point \(zeroPoint.shape.shapeDescription) must be a scalar\(perAxisShape)")
        }
        let inner = x.shape[(axis + 1)...].reduce(1, *), length = x.shape[axis]
        return Tensor(shape: x.shape, scalars: values.enumerated().map { i, v in Int32(v - zeros[(i / inner) % length]) })
    }

    /// a·b/y per output channel (b may hold one scale per channel), in float16 arithmetic when
    /// all three scales are float16 and float32 otherwise, as numpy computes them.
    static func requantMultipliers(_ aScale: Tensor, _ bScale: Tensor, _ yScale: Tensor, channels: Int,
                                   op: String) throws -> [Double] {
        guard aScale.count == 1, yScale.count == 1, aScale.rank <= 1, yScale.rank <= 1 else {
            throw EdgeflowError(.invalidInput,
                "\(op): the input and output scales must be scalars, got \(aScale.shape.shapeDescription) and \(yScale.shape.shapeDescription)")
        }
        guard bScale.count == 1 && bScale.rank <= 1 || bScale.shape == [channels] else {
            throw EdgeflowError(.invalidInput,
                "\(op): the weight scale \(bScale.shape.shapeDescription) must be a scalar or [\(channels)]")
        }
        guard [aScale, bScale, yScale].allSatisfy({ $0.dtype.isFloatingPoint }) else {
            throw EdgeflowError(.invalidInput, "\(op): scales must be float tensors")
        }
        let half = [aScale, bScale, yScale].allSatisfy { $0.dtype == .float16 }
        let a = Float(aScale.doubleValues()[0]), y = Float(yScale.doubleValues()[0])
        return bScale.doubleValues().map { bValue in
            let b = Float(bValue)
            if half { return Double(Float16(Float(Float16(a * b)) / y)) }
            return Double(a * b / y)
        }
    }

    /// Double(acc) · multiplier[channel] + zeroPoint, rounded half to even and saturated, where
    /// the channel of element i is (i / inner) % channels. The output dtype is the zero point's,
    /// or `fallback` (int8/uint8) without one.
    static func requantize(_ accumulators: Tensor, multipliers: [Double], inner: Int, channels: Int,
                           zeroPoint: Tensor?, fallback: DType, op: String) throws -> Tensor {
        let dtype = zeroPoint?.dtype ?? fallback
        guard dtype == .int8 || dtype == .uint8, zeroPoint.map({ $0.count == 1 && $0.rank <= 1 }) ?? true else {
            throw EdgeflowError(.invalidInput, "\(op): the output zero point must be an int8 or uint8 scalar")
        }
        let zp = try Double(zeroPoint?.intValues()[0] ?? 0)
        let range = dtype == .int8 ? -128.0...127.0 : 0.0...255.0
        let acc = accumulators.scalars(as: Int32.self)
        let values = acc.enumerated().map { i, v -> Double in
            let m = multipliers.count == 1 ? multipliers[0] : multipliers[(i / inner) % channels]
            return min(max((Double(v) * m + zp).rounded(.toNearestOrEven), range.lowerBound), range.upperBound)
        }
        return saturatingTensor(from: values, shape: accumulators.shape, dtype: dtype)
    }
}
