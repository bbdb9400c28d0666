// A machine without AMX or AVX-512 must still run the oneDNN kernels. ONEDNN_MAX_CPU_ISA is
// read once when oneDNN initialises, so the check runs in a child process: the kernel bench
// binary (built next to this test bundle) in its `--check` mode, which compares the oneDNN
// kernels with the reference kernels and exits 1 on a mismatch.

import EFTestSupport
import Foundation
import XCTest

final class DNNLCappedISATests: XCTestCase {
    /// The build products directory (.build/debug or .build/release).
    private var productsDirectory: URL {
        #if os(macOS)
        for bundle in Bundle.allBundles where bundle.bundlePath.hasSuffix(".xctest") {
            return bundle.bundleURL.deletingLastPathComponent()
        }
        #endif
        return Bundle.main.bundleURL
    }

    func testKernelsAgreeWithReferenceUnderAVX2Cap() throws {
        let binary = productsDirectory.appendingPathComponent("edgeflow-kernel-bench")
        guard FileManager.default.isExecutableFile(atPath: binary.path) else {
            return XCTFail("no edgeflow-kernel-bench at \(binary.path) (the test target depends on it)")
        }
        for isa in ["AVX2", "SSE41"] {
            let (status, text) = try ChildProcess.run(binary, ["--check"], environment: ["ONEDNN_MAX_CPU_ISA": isa])
            XCTAssertEqual(status, 0, "ONEDNN_MAX_CPU_ISA=\(isa):\n\(text)")
            XCTAssertTrue(text.contains("isa \(isa.lowercased())"), "the cap did not take effect:\n\(text)")
            XCTAssertEqual(text.components(separatedBy: "\nok ").count - 1, 4, "four checks should pass:\n\(text)")
        }
    }

    /// oneDNN's u8·s8 → s32 kernels under every ISA cap (Int32Check.swift): exact wherever the
    /// runtime trusts them (DNNLInt32Products.exactInt32ISAs), whatever they do elsewhere.
    func testInt32ResultsAreExactWhereTheRuntimeUsesThem() throws {
        let binary = productsDirectory.appendingPathComponent("edgeflow-kernel-bench")
        guard FileManager.default.isExecutableFile(atPath: binary.path) else {
            return XCTFail("no edgeflow-kernel-bench at \(binary.path) (the test target depends on it)")
        }
        for isa in ["AVX512_CORE_BF16", "AVX512_CORE_VNNI", "AVX512_CORE", "AVX2"] {
            let (status, text) = try ChildProcess.run(binary, ["--check-int32"],
                                                      environment: ["ONEDNN_MAX_CPU_ISA": isa])
            let findings = text.split(separator: "\n").filter { !$0.hasPrefix("exact ") }.joined(separator: "\n")
            XCTAssertEqual(status, 0, "ONEDNN_MAX_CPU_ISA=\(isa):\n\(findings)")
            let trusted = text.contains("(runtime uses oneDNN s32 here: true)")
            if trusted { XCTAssertTrue(text.contains("\n0 inexact result(s)"), "\(isa):\n\(findings)") }
            print("ONEDNN_MAX_CPU_ISA=\(isa): \(findings)")
        }
    }
}
