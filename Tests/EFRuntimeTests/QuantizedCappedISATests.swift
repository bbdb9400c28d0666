// The int8 programs of QuantizedLoweringTests again, in child processes with oneDNN capped to
// every instruction set below this CPU's (ONEDNN_MAX_CPU_ISA is read once at oneDNN's start):
// where oneDNN's int32 sums are not trusted (no VNNI) the runtime must take the Swift SIMD GEMM,
// and every output byte must still equal the reference evaluator's. The children also cycle the
// build of the streaming kernels (EDGEFLOW_SIMD): avx2 under the AVX2 cap, the baseline under
// AVX512_CORE, avx512 otherwise.

import EFOneDNN
import Foundation
import XCTest

final class QuantizedCappedISATests: XCTestCase {
    private let test = "EFRuntimeTests.QuantizedLoweringTests/testFastInt8ProgramsEqualTheReference"

    func testInt8ProgramsEqualTheReferenceUnderEveryISACap() throws {
        guard ProcessInfo.processInfo.environment["ONEDNN_MAX_CPU_ISA"] == nil else { return }  // no recursion
        let caps = ["AVX512_CORE_VNNI", "AVX512_CORE", "AVX2"]
        let order = ["avx2", "avx512_core", "avx512_core_vnni", "avx512_core_bf16", "avx512_core_amx"]
        let here = order.firstIndex(of: DNNLEngine.effectiveISA) ?? order.count
        let executable = URL(fileURLWithPath: CommandLine.arguments[0])
        var ran = 0
        for cap in caps where (order.firstIndex(of: cap.lowercased()) ?? 0) < here {
            let process = Process()
            process.executableURL = executable
            process.arguments = [test]
            var environment = ProcessInfo.processInfo.environment
            environment["ONEDNN_MAX_CPU_ISA"] = cap
            // The streaming kernels' build, cycled so that every one runs a child: AVX2 as an AVX2
            // machine would, the baseline under the AVX-512-without-VNNI cap.
            let simd = ["AVX2": "avx2", "AVX512_CORE": "baseline"][cap] ?? "avx512"
            environment["EDGEFLOW_SIMD"] = simd
            process.environment = environment
            let pipe = Pipe()
            process.standardOutput = pipe
            process.standardError = pipe
            try process.run()
            let text = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            process.waitUntilExit()
            let summary = text.split(separator: "\n").filter { $0.hasPrefix("isa ") || $0.contains("error") }
            let lines = summary.joined(separator: "\n")
            XCTAssertEqual(process.terminationStatus, 0, "ONEDNN_MAX_CPU_ISA=\(cap):\n\(lines)")
            XCTAssertTrue(text.contains("isa \(cap.lowercased()) kernels"),
                          "the cap did not take effect:\n\(text.suffix(2000))")
            XCTAssertTrue(text.contains("Executed 1 test"), "the child ran no test:\n\(text.suffix(2000))")
            let isa = simd == "baseline" ? "sse2" : simd
            XCTAssertTrue(text.contains("simd qu8 quantize \(isa)"), "EDGEFLOW_SIMD=\(simd) had no effect")
            ran += 1
        }
        print("int8 programs checked under \(ran) ISA cap(s) below \(DNNLEngine.effectiveISA)")
    }
}
