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
}
