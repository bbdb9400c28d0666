// A machine without AMX or AVX-512 must still run the oneDNN kernels. ONEDNN_MAX_CPU_ISA is
// read once when oneDNN initialises, so the check runs in a child process: the kernel bench
// binary (built next to this test bundle) in its `--check` mode, which compares the oneDNN
// kernels with the reference kernels and exits 1 on a mismatch.

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
            let process = Process()
            process.executableURL = binary
            process.arguments = ["--check"]
            var environment = ProcessInfo.processInfo.environment
            environment["ONEDNN_MAX_CPU_ISA"] = isa
            process.environment = environment
            let output = Pipe()
            process.standardOutput = output
            process.standardError = output
            try process.run()
            let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            process.waitUntilExit()
            XCTAssertEqual(process.terminationStatus, 0, "ONEDNN_MAX_CPU_ISA=\(isa):\n\(text)")
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
            let process = Process()
            process.executableURL = binary
            process.arguments = ["--check-int32"]
            var environment = ProcessInfo.processInfo.environment
            environment["ONEDNN_MAX_CPU_ISA"] = isa
            process.environment = environment
            let output = Pipe()
            process.standardOutput = output
            process.standardError = output
            try process.run()
            let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            process.waitUntilExit()
            let findings = text.split(separator: "\n").filter { !$0.hasPrefix("exact ") }.joined(separator: "\n")
            XCTAssertEqual(process.terminationStatus, 0, "ONEDNN_MAX_CPU_ISA=\(isa):\n\(findings)")
            let trusted = text.contains("(runtime uses oneDNN s32 here: true)")
            if trusted { XCTAssertTrue(text.contains("\n0 inexact result(s)"), "\(isa):\n\(findings)") }
            print("ONEDNN_MAX_CPU_ISA=\(isa): \(findings)")
        }
    }
}
