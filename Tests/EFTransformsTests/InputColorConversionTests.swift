// YUV input conversions against OpenCV (Tests/Goldens/yuv, made by tools/goldens/make_yuv_goldens.py):
// NV12 and NV21 frames and interleaved YUV (BT.601 limited range) convert to OpenCV's RGB within
// 0.75 (Edgeflow uses the Dataflow Compiler's three-decimal coefficients and keeps floats; OpenCV
// rounds to bytes), full-range YCbCr within 1.5 (the DFC's full-range coefficients are rounded
// further from OpenCV's); the same through the normalization's uint8 input. The encoder for photo
// calibration inverts the conversion (round trip within 1.6, the bytes' rounding through the
// matrix) and makes OpenCV's NV12 frame within 2 per byte.

import EFCore
import EFIR
import EFInterpreter
import EFTestSupport
import EFTransforms
import Foundation
import XCTest

final class InputColorConversionTests: XCTestCase {
    static let (height, width) = (12, 16)

    func golden(_ name: String) throws -> Tensor {
        try NPY.read(contentsOf: TestData.goldens.appendingPathComponent("yuv/\(name).npy"))
    }

    /// A model that passes its float32 [1, 3, H, W] input through (× 1).
    func passThrough() -> Graph {
        Graph(name: "pass", inputs: ["x"], outputs: ["y"],
              nodes: [Node(name: "y", .binary(.mul), inputs: ["x", "one"], outputs: ["y"])],
              types: ["x": TensorType(.float32, [1, 3, Self.height, Self.width]), "one": TensorType(.float32, []),
                      "y": TensorType(.float32, [1, 3, Self.height, Self.width])],
              weights: ["one": Tensor(scalar: Float(1))])
    }

    /// The largest |clamp(y·scale, 0, 255) − expected| over pixels, y NCHW, expected NHWC bytes.
    func worst(_ y: Tensor, _ expected: Tensor, scale: Float = 1) -> Float {
        let got = y.scalars(as: Float.self), want = expected.scalars(as: UInt8.self)
        let plane = Self.height * Self.width
        return (0..<3 * plane).map { index -> Float in
            let (channel, pixel) = index.quotientAndRemainder(dividingBy: plane)
            return abs(Swift.min(Swift.max(got[index] * scale, 0), 255) - Float(want[pixel * 3 + channel]))
        }.max() ?? .infinity
    }

    func run(_ graph: Graph, _ input: Tensor) throws -> Tensor {
        try XCTUnwrap(try Interpreter(graph: graph).run(["x": input])["y"])
    }

    /// NHWC bytes as NCHW float planes.
    func planes(_ bytes: Tensor) -> Tensor {
        let values = bytes.scalars(as: UInt8.self), plane = Self.height * Self.width
        return Tensor(shape: [1, 3, Self.height, Self.width], scalars: (0..<3 * plane).map { index -> Float in
            let (channel, pixel) = index.quotientAndRemainder(dividingBy: plane)
            return Float(values[pixel * 3 + channel])
        })
    }

    func testNV12AndNV21FramesMatchOpenCV() throws {
        for (layout, frame) in [(YUVConversion.Layout.nv12, "nv12"), (.nv21, "nv21")] {
            let graph = try InputColorConversion.prepend(passThrough(), YUVConversion(.bt601, layout: layout))
            XCTAssertEqual(graph.types["x"], TensorType(.uint8, [1, 18, 16]))
            XCTAssertLessThanOrEqual(worst(try run(graph, try golden(frame)), try golden("rgb601")), 0.75, frame)
        }
    }

    func testInterleavedYUVMatchesOpenCV() throws {
        let graph = try InputColorConversion.prepend(passThrough(), YUVConversion(.bt601))
        XCTAssertEqual(graph.types["x"], TensorType(.float32, [1, 3, 12, 16]))
        XCTAssertLessThanOrEqual(worst(try run(graph, planes(try golden("yuv601"))), try golden("rgb601")), 0.75)
        let full = try InputColorConversion.prepend(passThrough(), YUVConversion(.fullRange))
        XCTAssertLessThanOrEqual(worst(try run(full, planes(try golden("yuv_full"))), try golden("rgb_full")), 1.5)
    }

    /// BGR variants put the same values in the other order.
    func testBGRConversionReordersTheChannels() throws {
        let rgb = try run(try InputColorConversion.prepend(passThrough(), YUVConversion(.bt709)),
                          planes(try golden("yuv601"))).scalars(as: Float.self)
        let bgr = try run(try InputColorConversion.prepend(passThrough(), YUVConversion(.bt709, bgr: true)),
                          planes(try golden("yuv601"))).scalars(as: Float.self)
        let plane = Self.height * Self.width
        XCTAssertEqual(Array(bgr[0..<plane]), Array(rgb[2 * plane..<3 * plane]))
        XCTAssertEqual(Array(bgr[2 * plane..<3 * plane]), Array(rgb[0..<plane]))
    }

    func testNormalizationTakesTheNV12Bytes() throws {
        let graph = try InputNormalization.prepend(passThrough(), mean: [0, 0, 0], std: [1, 1, 1],
                                                   reverseChannels: false, yuv: YUVConversion(.bt601, layout: .nv12))
        XCTAssertEqual(graph.types["x"], TensorType(.uint8, [1, 18, 16]))
        XCTAssertLessThanOrEqual(worst(try run(graph, try golden("nv12")), try golden("rgb601"), scale: 255), 0.75)
    }

    func testEncodingInvertsTheConversionAndMakesOpenCVsFrame() throws {
        let rgb = try golden("rgb").scalars(as: UInt8.self)
        let yuv = try YUVConversion(.bt601).encode(rgb: rgb, height: 12, width: 16)
        let back = try run(try InputColorConversion.prepend(passThrough(), YUVConversion(.bt601)),
                           planes(Tensor(shape: [1, 12, 16, 3], scalars: yuv)))
        XCTAssertLessThanOrEqual(worst(back, try golden("rgb")), 1.6)
        let frame = try YUVConversion(.bt601, layout: .nv12).encode(rgb: rgb, height: 12, width: 16)
        let openCV = try golden("nv12").scalars(as: UInt8.self)
        XCTAssertEqual(frame.count, openCV.count)
        XCTAssertLessThanOrEqual(zip(frame, openCV).map { abs(Int($0) - Int($1)) }.max() ?? 99, 2)
    }

    func testOddSidesAreRefusedForNV12() {
        XCTAssertThrowsError(try YUVConversion(.bt601, layout: .nv12).inputShape(batch: 1, height: 7, width: 8)) {
            XCTAssertTrue("\($0)".contains("even height and width"), "\($0)")
        }
    }
}
