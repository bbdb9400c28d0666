// The int8 programs of QuantizedLoweringTests again, in child processes with oneDNN capped to
// every instruction set below this CPU's (ONEDNN_MAX_CPU_ISA is read once at oneDNN's start):
// where oneDNN's int32 sums are not trusted (no VNNI) the runtime must take the Swift SIMD GEMM,
// and every output byte must still equal the reference evaluator's. The children also choose the
// build of the streaming kernels and the SIMD GEMM (EDGEFLOW_SIMD), so every build runs.

import EFOneDNN
import EFTestSupport
import Foundation
import XCTest

final class QuantizedCappedISATests: XCTestCase {
    private let test = "EFRuntimeTests.QuantizedLoweringTests/testFastInt8ProgramsEqualTheReference"

    func testInt8ProgramsEqualTheReferenceUnderEveryISACap() throws {
        guard ProcessInfo.processInfo.environment["ONEDNN_MAX_CPU_ISA"] == nil else { return }  // no recursion
        // (oneDNN cap, streaming-kernel build): the build each capped CPU would take, plus the
        // baseline build under a cap where oneDNN multiplies and under one where Swift does.
        let runs = [("AVX512_CORE_VNNI", "baseline"), ("AVX512_CORE", "avx512"), ("AVX2", "avx2"),
                    ("AVX2", "baseline")]
        let order = ["avx2", "avx512_core", "avx512_core_vnni", "avx512_core_bf16", "avx512_core_amx"]
        let here = order.firstIndex(of: DNNLEngine.effectiveISA) ?? order.count
        var ran = 0
        for (cap, simd) in runs where (order.firstIndex(of: cap.lowercased()) ?? 0) < here {
            let (status, text) = try ChildProcess.run(URL(fileURLWithPath: CommandLine.arguments[0]), [test],
                                                      environment: ["ONEDNN_MAX_CPU_ISA": cap, "EDGEFLOW_SIMD": simd])
            let lines = text.split(separator: "\n").filter { $0.hasPrefix("isa ") || $0.contains("error") }
                .joined(separator: "\n")
            XCTAssertEqual(status, 0, "ONEDNN_MAX_CPU_ISA=\(cap) EDGEFLOW_SIMD=\(simd):\n\(lines)")
            XCTAssertTrue(text.contains("isa \(cap.lowercased()) kernels"),
                          "the cap did not take effect:\n\(text.suffix(2000))")
            XCTAssertTrue(text.contains("Executed 1 test"), "the child ran no test:\n\(text.suffix(2000))")
            let isa = simd == "baseline" ? "sse2" : simd
            XCTAssertTrue(text.contains("simd qu8 quantize \(isa)"), "EDGEFLOW_SIMD=\(simd) had no effect")
            if cap == "AVX2" {  // no oneDNN s32 here: the SIMD GEMM of that build multiplies
                XCTAssertTrue(text.contains("simd qu8 gemm \(isa)") && text.contains("simd qu8 conv-gemm \(isa)"),
                              "the \(simd) GEMM build did not run:\n\(lines)")
            }
            ran += 1
        }
        print("int8 programs checked in \(ran) capped children below \(DNNLEngine.effectiveISA)")
    }
}
