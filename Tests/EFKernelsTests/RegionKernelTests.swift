// RoiAlign, DeformConv, Det and BitCast on hand-checked inputs and the inputs they must refuse
// without trapping (a batch index out of range, non-finite or enormous regions, mismatched
// offsets, bit widths that differ). The ONNX suite and the onnxruntime cases of
// Tests/Goldens/ort-op-cases check the rest through the importer.

import EFCore
import EFKernels
import XCTest

final class RegionKernelTests: XCTestCase {
    /// One image, one channel, 4×4 with value 10·y + x at (y, x).
    private let ramp = Tensor(shape: [1, 1, 4, 4], scalars: (0..<16).map { Float(10 * ($0 / 4) + $0 % 4) })

    func testRoiAlignAveragesBilinearSamplesOfARamp() throws {
        // Half-pixel region (1, 1)–(3, 3) → (0.5, 0.5)–(2.5, 2.5); one bin, 2×2 samples at 1 and 2:
        // the mean of a linear ramp is its value at the center (1.5, 1.5).
        let rois = Tensor(shape: [1, 4], scalars: [Float](arrayLiteral: 1, 1, 3, 3))
        let y = try Kernels.roiAlign(ramp, rois, Tensor(shape: [1], scalars: [Int64(0)]), RoiAlignParameters())
        XCTAssertEqual(y.shape, [1, 1, 1, 1])
        XCTAssertEqual(y.scalars(as: Float.self)[0], 16.5, accuracy: 1e-5)
        // Max mode keeps the largest weighted tap of any sample: the sample at (2, 2) reads 22 whole.
        let max = try Kernels.roiAlign(ramp, rois, Tensor(shape: [1], scalars: [Int64(0)]),
                                       RoiAlignParameters(mode: .max))
        XCTAssertEqual(max.scalars(as: Float.self)[0], 22, accuracy: 1e-5)
    }

    func testRoiAlignRefusesBadRegionsWithoutTrapping() {
        let one = Tensor(shape: [1], scalars: [Int64(0)])
        assertInvalidInput("names image 1 of 1") {
            try Kernels.roiAlign(ramp, Tensor(shape: [1, 4], scalars: [Float](arrayLiteral: 0, 0, 1, 1)),
                                 Tensor(shape: [1], scalars: [Int64(1)]), RoiAlignParameters())
        }
        assertInvalidInput("is not finite") {
            try Kernels.roiAlign(ramp, Tensor(shape: [1, 4], scalars: [Float](arrayLiteral: 0, .nan, 1, 1)), one,
                                 RoiAlignParameters())
        }
        assertInvalidInput("samples per bin side") {
            try Kernels.roiAlign(ramp, Tensor(shape: [1, 4], scalars: [Float](arrayLiteral: 0, 0, 1e30, 1)), one,
                                 RoiAlignParameters())
        }
        let map = Tensor(zeros: .float32, shape: [1, 1, 64, 64])
        assertInvalidInput("needs 260×260 samples per bin, more than 65536") {
            try Kernels.roiAlign(map, Tensor(shape: [1, 4], scalars: [Float](arrayLiteral: 0, 0, 8, 8)), one,
                                 RoiAlignParameters(samplingRatio: 260))
        }
        assertInvalidInput("must be [N, C, H, W], [R, 4] and [R]") {
            try Kernels.roiAlign(ramp, Tensor(shape: [1, 3], scalars: [Float](arrayLiteral: 0, 0, 1)), one,
                                 RoiAlignParameters())
        }
    }

    func testDeformConvWithZeroOffsetsIsAConvolution() throws {
        let x = Tensor(shape: [1, 2, 5, 6], scalars: (0..<60).map { Float(($0 * 37) % 11) - 5 })
        let w = Tensor(shape: [4, 1, 3, 2], scalars: (0..<24).map { Float(($0 * 5) % 7) - 3 })
        let bias = Tensor(shape: [4], scalars: [Float](arrayLiteral: 1, -1, 0.5, 2))
        let window = ConvParameters(strides: [2, 1], dilations: [1, 2], pads: [1, 0, 1, 1], group: 2)
        let expected = try Kernels.conv(x, weight: w, bias: bias, window)
        let grid = Array(expected.shape.suffix(2))
        let offset = Tensor(zeros: .float32, shape: [1, 12] + grid)
        let y = try Kernels.deformConv(x, weight: w, offset: offset, bias: bias, mask: nil,
                                       DeformConvParameters(window: window))
        XCTAssertEqual(y.shape, expected.shape)
        for (a, b) in zip(y.scalars(as: Float.self), expected.scalars(as: Float.self)) {
            XCTAssertEqual(a, b, accuracy: 1e-4)
        }
        // An offset of half a pixel down reads the mean of two rows; a mask of 0.5 halves it.
        let single = Tensor(shape: [1, 1, 1, 1], scalars: [Float(1)])
        let shifted = Tensor(shape: [1, 2, 1, 1], scalars: [Float](arrayLiteral: 0.5, 0))
        let half = Tensor(shape: [1, 1, 1, 1], scalars: [Float(0.5)])
        let onePixel = try Kernels.deformConv(ramp, weight: single, offset: shifted, bias: nil, mask: half,
                                              DeformConvParameters(window: ConvParameters(strides: [4, 4])))
        XCTAssertEqual(onePixel.scalars(as: Float.self), [2.5])
    }

    func testDeformConvRefusesOffsetsThatDoNotFitTheOutput() {
        let w = Tensor(shape: [1, 1, 3, 3], scalars: [Float](repeating: 1, count: 9))
        assertInvalidInput("offset [1, 18, 3, 3] must be [1, 1·9·2, 2, 2]") {
            try Kernels.deformConv(ramp, weight: w, offset: Tensor(zeros: .float32, shape: [1, 18, 3, 3]), bias: nil,
                                   mask: nil, DeformConvParameters())
        }
        assertInvalidInput("offset_group 2 must divide the 1 input channels") {
            try Kernels.deformConv(ramp, weight: w, offset: Tensor(zeros: .float32, shape: [1, 36, 2, 2]), bias: nil,
                                   mask: nil, DeformConvParameters(offsetGroup: 2))
        }
    }

    func testDeterminantWithPivotingAndASingularMatrix() throws {
        // [[0, 2], [3, 1]] needs a row swap: det = −6; a repeated row gives 0.
        let x = Tensor(shape: [2, 2, 2], scalars: [Float](arrayLiteral: 0, 2, 3, 1, 1, 2, 1, 2))
        XCTAssertEqual(try Kernels.determinant(x).scalars(as: Float.self), [-6, 0])
        XCTAssertEqual(try Kernels.determinant(Tensor(zeros: .float32, shape: [3, 0, 0])).scalars(as: Float.self),
                       [1, 1, 1])
        assertInvalidInput("must be [..., M, M]") {
            try Kernels.determinant(Tensor(zeros: .float32, shape: [2, 3]))
        }
    }

    func testBitCastMasksSubByteCodesAndNormalizesBool() throws {
        let int4 = [UInt8](arrayLiteral: 0xFF, 0x07, 0xF8).withUnsafeBytes {
            Tensor(dtype: .int4, shape: [3], bytes: $0)
        }
        XCTAssertEqual(try Kernels.bitCast(int4, to: .uint4).withUnsafeBytes { Array($0) }, [15, 7, 8])
        let uint4 = [UInt8](arrayLiteral: 9, 7).withUnsafeBytes { Tensor(dtype: .uint4, shape: [2], bytes: $0) }
        XCTAssertEqual(try Kernels.bitCast(uint4, to: .int4).withUnsafeBytes { Array($0) }, [0xF9, 7])
        let bytes = Tensor(shape: [3], scalars: [UInt8](arrayLiteral: 0, 2, 255))
        XCTAssertEqual(try Kernels.bitCast(bytes, to: .bool).scalars(as: Bool.self), [false, true, true])
        let one = Tensor(shape: [1], scalars: [Float(1)])
        XCTAssertEqual(try Kernels.bitCast(one, to: .int32).scalars(as: Int32.self), [0x3F80_0000])
        XCTAssertEqual(try Kernels.bitCast(Tensor(zeros: .float32, shape: [0]), to: .int32).shape, [0])
        assertInvalidInput("BitCast needs equal widths") {
            try Kernels.bitCast(Tensor(shape: [1], scalars: [Float(1)]), to: .int64)
        }
    }

    private func assertInvalidInput(_ fragment: String, file: StaticString = #filePath, line: UInt = #line,
                                    _ body: () throws -> Tensor) {
        XCTAssertThrowsError(try body(), file: file, line: line) { error in
            guard let error = error as? EdgeflowError else { return XCTFail("\(error)", file: file, line: line) }
            XCTAssertEqual(error.kind, .invalidInput, file: file, line: line)
            XCTAssertTrue(error.message.contains(fragment), "\(error.message)", file: file, line: line)
        }
    }
}
