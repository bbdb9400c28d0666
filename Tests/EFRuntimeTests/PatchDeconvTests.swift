// Channels-last ConvTransposes whose kernel equals their stride run as one oneDNN matmul and a
// scatter (PatchDeconvLowering): against the reference evaluator (NCHW) within float32 rounding,
// for square and non-square patches, batch 2, with and without bias; a deconv with overlapping
// windows keeps oneDNN's deconvolution.

import EFCore
import EFKernels
import EFOps
import EFRuntime
import XCTest

final class PatchDeconvTests: XCTestCase {
    /// Builds and runs a one-step NHWC convTranspose; returns its kernel and the largest error
    /// against the reference (relative to max(1, |reference|)).
    private func check(batch: Int, cin: Int, cout: Int, size: (Int, Int), kernel: (Int, Int), stride: (Int, Int),
                       bias: Bool) throws -> (String, Float) {
        var state: UInt64 = 12345
        func random() -> Float {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return Float(Int(state >> 40) % 2001 - 1000) / 1000
        }
        let (h, w) = size
        let x = Tensor(shape: [batch, cin, h, w], scalars: (0..<(batch * cin * h * w)).map { _ in random() })
        let weights = Tensor(shape: [cin, cout, kernel.0, kernel.1],
                             scalars: (0..<(cin * cout * kernel.0 * kernel.1)).map { _ in random() })
        let b = bias ? Tensor(shape: [cout], scalars: (0..<cout).map { _ in random() }) : nil
        let window = ConvParameters(strides: [stride.0, stride.1], pads: [0, 0, 0, 0])
        let nchw = try ReferenceEvaluator.evaluate(.convTranspose(ConvTransposeOp(window: window)),
                                                   [x, weights, b], outputCount: 1)[0]
        let expected = try Kernels.transpose(nchw, perm: [0, 2, 3, 1])
        let input = try Kernels.transpose(x, perm: [0, 2, 3, 1])
        let inputBytes = (input.count * 4 + 63) / 64 * 64
        var values = [PlannedValue(name: "x", dtype: .float32, shape: input.shape, place: .arena(offset: 0)),
                      PlannedValue(name: "y", dtype: .float32, shape: expected.shape,
                                   place: .arena(offset: inputBytes)),
                      PlannedValue(name: "w", dtype: .float32, shape: weights.shape, place: .constant(index: 0))]
        var constants = [weights]
        if let b {
            values.append(PlannedValue(name: "b", dtype: .float32, shape: b.shape, place: .constant(index: 1)))
            constants.append(b)
        }
        let op = ConvTransposeOp(window: window, channelsLast: true)
        let plan = ProgramPlan(name: "deconv", values: values, inputs: ["x"], outputs: ["y"],
                               steps: [PlannedStep(name: "d", params: .convTranspose(op),
                                                   inputs: ["x", "w"] + (bias ? ["b"] : []), outputs: ["y"])],
                               arenaByteCount: inputBytes + (expected.count * 4 + 63) / 64 * 64, precision: .float32)
        let (program, fallbacks) = try ProgramBuilder.build(plan, constants: constants)
        XCTAssertEqual(fallbacks.map(\.reason), [])
        let actual = try ExecutionContext(program: program).run(["x": input])["y"]!
        XCTAssertEqual(actual.shape, expected.shape)
        let error = zip(actual.scalars(as: Float.self), expected.scalars(as: Float.self))
            .map { abs($0 - $1) / max(1, abs($1)) }.max() ?? .infinity
        return (program.steps[0].info.kernel, error)
    }

    func testPatchDeconvolutionsEqualTheReference() throws {
        // One output channel (a detection head's probability map) copies 2-3 floats per kernel row.
        for (kernel, bias, cout) in [((2, 2), true, 10), ((2, 3), false, 10), ((4, 4), true, 10), ((2, 2), true, 1),
                                     ((2, 3), false, 3)] {
            let (name, error) = try check(batch: 2, cin: 24, cout: cout, size: (5, 7), kernel: kernel, stride: kernel,
                                          bias: bias)
            XCTAssertTrue(name.hasSuffix("patch-deconv"), "\(kernel): \(name)")
            XCTAssertLessThan(error, 1e-5, "\(kernel) bias \(bias): \(name)")
        }
    }

    func testOverlappingWindowsKeepTheDeconvolution() throws {
        let (name, error) = try check(batch: 1, cin: 8, cout: 6, size: (4, 4), kernel: (3, 3), stride: (2, 2),
                                      bias: true)
        XCTAssertFalse(name.contains("patch-deconv"), name)
        XCTAssertLessThan(error, 1e-5, name)
    }
}
