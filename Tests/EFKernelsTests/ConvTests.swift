// Conv and ConvTranspose against plain direct loops written here (one output element, or one
// input element, at a time with explicit bounds checks), over sweeps of 1-D/2-D/3-D shapes,
// strides, pads, dilations and groups including depthwise. Inputs are small multiples of 1/8,
// so every sum is exact in float32 and results must match bit for bit.

import EFCore
import EFKernels
import XCTest

/// Plain N-d reference implementations used only by the tests.
enum NaiveConv {
    /// All multi-indices of `shape` in row-major order.
    static func indices(_ shape: [Int]) -> [[Int]] {
        var result: [[Int]] = [[]]
        for dim in shape { result = result.flatMap { prefix in (0..<dim).map { prefix + [$0] } } }
        return result
    }

    static func flat(_ index: [Int], _ shape: [Int]) -> Int {
        zip(index, shape).reduce(0) { $0 * $1.1 + $1.0 }
    }

    static func conv(x: [Double], xShape: [Int], w: [Double], wShape: [Int], bias: [Double]?,
                     strides: [Int], pads: [Int], dilations: [Int], group: Int) -> ([Double], [Int]) {
        let r = xShape.count - 2
        let outSpatial = (0..<r).map { (a: Int) -> Int in
            let padded: Int = xShape[a + 2] + pads[a] + pads[a + r]
            let kernelExtent: Int = (wShape[a + 2] - 1) * dilations[a] + 1
            return (padded - kernelExtent) / strides[a] + 1
        }
        let outShape = [xShape[0], wShape[0]] + outSpatial
        let cPerGroup = wShape[1], mPerGroup = wShape[0] / group
        var out = [Double](repeating: 0, count: outShape.reduce(1, *))
        for o in indices(outShape) {
            let (n, m) = (o[0], o[1])
            var sum = bias?[m] ?? 0
            for c in 0..<cPerGroup {
                let inChannel = (m / mPerGroup) * cPerGroup + c
                for tap in indices(Array(wShape.dropFirst(2))) {
                    var position: [Int] = []
                    for a in 0..<r { position.append(o[a + 2] * strides[a] - pads[a] + tap[a] * dilations[a]) }
                    if zip(position, xShape.dropFirst(2)).contains(where: { $0 < 0 || $0 >= $1 }) { continue }
                    sum += x[flat([n, inChannel] + position, xShape)] * w[flat([m, c] + tap, wShape)]
                }
            }
            out[flat(o, outShape)] = sum
        }
        return (out, outShape)
    }

    /// Scatters every input element through every kernel tap (the definition of ConvTranspose).
    static func convTranspose(x: [Double], xShape: [Int], w: [Double], wShape: [Int], bias: [Double]?,
                              strides: [Int], pads: [Int], dilations: [Int], outputPadding: [Int],
                              group: Int) -> ([Double], [Int]) {
        let r = xShape.count - 2
        let outSpatial = (0..<r).map { (a: Int) -> Int in
            let grown: Int = strides[a] * (xShape[a + 2] - 1) + outputPadding[a]
            let kernelExtent: Int = (wShape[a + 2] - 1) * dilations[a] + 1
            return grown + kernelExtent - pads[a] - pads[a + r]
        }
        let mPerGroup = wShape[1], cPerGroup = xShape[1] / group
        let outShape = [xShape[0], mPerGroup * group] + outSpatial
        var out = [Double](repeating: 0, count: outShape.reduce(1, *))
        if let bias {
            for o in indices(outShape) { out[flat(o, outShape)] = bias[o[1]] }
        }
        for i in indices(xShape) {
            let (n, c) = (i[0], i[1])
            let grp = c / cPerGroup
            for mm in 0..<mPerGroup {
                for tap in indices(Array(wShape.dropFirst(2))) {
                    var position: [Int] = []
                    for a in 0..<r { position.append(i[a + 2] * strides[a] - pads[a] + tap[a] * dilations[a]) }
                    if zip(position, outSpatial).contains(where: { $0 < 0 || $0 >= $1 }) { continue }
                    out[flat([n, grp * mPerGroup + mm] + position, outShape)] += x[flat(i, xShape)] * w[flat([c, mm] + tap, wShape)]
                }
            }
        }
        return (out, outShape)
    }
}

final class ConvTests: XCTestCase {
    static func eighths(_ count: Int, seed: Int) -> [Float] {
        (0..<count).map { (i: Int) -> Float in
            let mixed: Int = (i &* 31 &+ seed &* 17 &+ (i / 7) &* 5) % 23
            return Float(mixed - 11) / 8
        }
    }

    private struct Case {
        var x: [Int], w: [Int], strides: [Int], pads: [Int], dilations: [Int], group: Int, bias: Bool
    }

    private var convCases: [Case] {
        var cases: [Case] = [
            Case(x: [1, 1, 5], w: [1, 1, 3], strides: [1], pads: [0, 0], dilations: [1], group: 1, bias: false),
            Case(x: [2, 3, 9], w: [4, 3, 2], strides: [2], pads: [1, 2], dilations: [2], group: 1, bias: true),
            Case(x: [1, 4, 7], w: [6, 2, 3], strides: [3], pads: [2, 0], dilations: [1], group: 2, bias: true),
            Case(x: [1, 2, 6, 6], w: [3, 2, 1, 1], strides: [1, 1], pads: [0, 0, 0, 0], dilations: [1, 1], group: 1, bias: true),
            Case(x: [1, 2, 6, 6], w: [3, 2, 1, 1], strides: [2, 2], pads: [0, 0, 0, 0], dilations: [1, 1], group: 1, bias: false),
            Case(x: [1, 3, 7, 8], w: [5, 3, 3, 3], strides: [1, 1], pads: [1, 1, 1, 1], dilations: [1, 1], group: 1, bias: true),
            Case(x: [2, 4, 9, 7], w: [4, 2, 3, 2], strides: [2, 1], pads: [0, 1, 2, 1], dilations: [1, 2], group: 2, bias: false),
            Case(x: [1, 6, 8, 8], w: [6, 1, 3, 3], strides: [1, 1], pads: [1, 1, 1, 1], dilations: [1, 1], group: 6, bias: true),
            Case(x: [1, 4, 9, 9], w: [8, 1, 3, 3], strides: [2, 2], pads: [1, 0, 1, 2], dilations: [2, 1], group: 4, bias: false),
            Case(x: [1, 3, 5, 5], w: [3, 1, 5, 5], strides: [1, 1], pads: [2, 2, 2, 2], dilations: [1, 1], group: 3, bias: true),
            Case(x: [1, 2, 4, 5, 6], w: [3, 2, 2, 3, 2], strides: [1, 2, 1], pads: [1, 0, 1, 0, 1, 1], dilations: [1, 1, 2], group: 1, bias: true),
            Case(x: [1, 4, 5, 4, 4], w: [4, 1, 3, 3, 3], strides: [2, 1, 1], pads: [1, 1, 1, 1, 1, 1], dilations: [1, 1, 1], group: 4, bias: false),
        ]
        // A channel count past one GEMM depth panel (k = 40·9 = 360 > 256).
        cases.append(Case(x: [1, 40, 5, 5], w: [10, 40, 3, 3], strides: [1, 1], pads: [1, 1, 1, 1], dilations: [1, 1], group: 1, bias: true))
        return cases
    }

    func testConvMatchesDirectLoops() throws {
        for (index, c) in convCases.enumerated() {
            let x = Self.eighths(c.x.reduce(1, *), seed: index), w = Self.eighths(c.w.reduce(1, *), seed: index + 50)
            let bias = c.bias ? Self.eighths(c.w[0], seed: index + 99) : nil
            let params = ConvParameters(strides: c.strides, dilations: c.dilations, pads: c.pads, group: c.group)
            let result = try Kernels.conv(Tensor(shape: c.x, scalars: x), weight: Tensor(shape: c.w, scalars: w),
                                          bias: bias.map { Tensor(shape: [c.w[0]], scalars: $0) }, params)
            let (expected, shape) = NaiveConv.conv(x: x.map(Double.init), xShape: c.x, w: w.map(Double.init), wShape: c.w,
                                                   bias: bias?.map(Double.init), strides: c.strides, pads: c.pads,
                                                   dilations: c.dilations, group: c.group)
            XCTAssertEqual(result.shape, shape, "case \(index)")
            XCTAssertEqual(result.doubleValues(), expected, "case \(index): \(c)")
            // float64 takes the same path.
            let result64 = try Kernels.conv(Tensor(shape: c.x, scalars: x.map(Double.init)),
                                            weight: Tensor(shape: c.w, scalars: w.map(Double.init)),
                                            bias: bias.map { Tensor(shape: [c.w[0]], scalars: $0.map(Double.init)) }, params)
            XCTAssertEqual(result64.scalars(as: Double.self), expected, "case \(index) float64")
        }
    }

    func testConvTransposeMatchesScatterLoops() throws {
        let cases: [(x: [Int], w: [Int], strides: [Int], pads: [Int], dilations: [Int], outPad: [Int], group: Int)] = [
            ([1, 1, 3], [1, 2, 3], [1], [0, 0], [1], [0], 1),
            ([2, 2, 4], [2, 3, 3], [2], [1, 0], [1], [1], 1),
            ([1, 2, 3, 3], [2, 2, 3, 3], [3, 2], [0, 0, 0, 0], [1, 1], [0, 0], 1),
            ([1, 4, 3, 4], [4, 1, 2, 3], [2, 2], [1, 0, 0, 1], [2, 1], [1, 0], 2),
            ([1, 2, 3, 3], [2, 1, 3, 3], [3, 3], [0, 0, -1, -1], [1, 1], [0, 0], 1),
            ([1, 3, 2, 3, 2], [3, 2, 2, 2, 2], [2, 1, 2], [0, 1, 0, 0, 0, 1], [1, 1, 1], [1, 0, 0], 1),
        ]
        for (index, c) in cases.enumerated() {
            let x = Self.eighths(c.x.reduce(1, *), seed: index), w = Self.eighths(c.w.reduce(1, *), seed: index + 7)
            let outChannels = c.w[1] * c.group
            let bias = Self.eighths(outChannels, seed: 3)
            let params = ConvTransposeParameters(ConvParameters(strides: c.strides, dilations: c.dilations, pads: c.pads,
                                                                group: c.group), outputPadding: c.outPad)
            let result = try Kernels.convTranspose(Tensor(shape: c.x, scalars: x), weight: Tensor(shape: c.w, scalars: w),
                                                   bias: Tensor(shape: [outChannels], scalars: bias), params)
            let (expected, shape) = NaiveConv.convTranspose(x: x.map(Double.init), xShape: c.x, w: w.map(Double.init),
                                                            wShape: c.w, bias: bias.map(Double.init), strides: c.strides,
                                                            pads: c.pads, dilations: c.dilations, outputPadding: c.outPad,
                                                            group: c.group)
            XCTAssertEqual(result.shape, shape, "case \(index)")
            XCTAssertEqual(result.doubleValues(), expected, "case \(index)")
        }
    }

    func testConvRejectsBadShapes() {
        let x = Tensor(zeros: .float32, shape: [1, 3, 4, 4])
        XCTAssertThrowsError(try Kernels.conv(x, weight: Tensor(zeros: .float32, shape: [2, 2, 3, 3]), bias: nil, ConvParameters())) {
            XCTAssertTrue("\($0)".contains("group"), "\($0)")
        }
        XCTAssertThrowsError(try Kernels.conv(x, weight: Tensor(zeros: .float32, shape: [2, 3, 5, 5]), bias: nil, ConvParameters())) {
            XCTAssertTrue("\($0)".contains("smaller than the dilated kernel"), "\($0)")
        }
        XCTAssertThrowsError(try Kernels.conv(x, weight: Tensor(zeros: .float32, shape: [2, 3, 1, 1]), bias: nil,
                                              ConvParameters(strides: [0, 1])))
        XCTAssertThrowsError(try Kernels.conv(x, weight: Tensor(zeros: .float64, shape: [2, 3, 1, 1]), bias: nil, ConvParameters()))
    }
}
