// Release-only throughput report for the float GEMM (MatMul) and the reference convolution on
// the conv layers of a 224×224 ResNet-50. Prints GFLOP/s; asserts only that results are finite.

import EFCore
import EFKernels
import EFTestSupport
import Foundation
import XCTest

final class LinearBenchmarkTests: XCTestCase {
    private func seconds(_ body: () throws -> Void) rethrows -> Double {
        let start = DispatchTime.now().uptimeNanoseconds
        try body()
        return Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
    }

    private func random(_ count: Int, seed: UInt64) -> [Float] {
        var state = seed
        return (0..<count).map { _ in
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return Float(Int(state >> 40) % 2001 - 1000) / 1000
        }
    }

    func testMatMulThroughput() throws {
        try XCTSkipUnless(TestData.isOptimizedBuild, "throughput is measured in release builds only")
        for size in [256, 512, 1024] {
            let a = Tensor(shape: [size, size], scalars: random(size * size, seed: 1))
            let b = Tensor(shape: [size, size], scalars: random(size * size, seed: 2))
            var result = a
            var best = Double.infinity
            for _ in 0..<3 { best = min(best, try seconds { result = try Kernels.matMul(a, b) }) }
            let gflops = 2 * Double(size * size * size) / best / 1e9
            print(String(format: "matMul %d³ float32: %.2f ms, %.1f GFLOP/s", size, best * 1e3, gflops))
            XCTAssertTrue(result.doubleValues().allSatisfy(\.isFinite))
        }
    }
}
