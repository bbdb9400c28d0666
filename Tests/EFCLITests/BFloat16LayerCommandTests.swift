// `optimize --model-script` with `precision_mode=bf16` for a layer, then `compile`: with oneDNN
// capped to AVX2 (no bf16 kernels) compile refuses, naming the layer and writing nothing; on a
// CPU with avx512_bf16 the executable records the feature and its outputs are the quantized
// emulator's bytes (`infer --emulate quantized` runs the same bf16 kernel).

import EFCLI
import EFCore
import EFTestSupport
import Foundation
import XCTest

final class BFloat16LayerCommandTests: XCTestCase {
    private var directory: URL!

    override func setUpWithError() throws { directory = try TestData.temporaryDirectory("edgeflow-bf16-layers") }
    override func tearDownWithError() throws { try? FileManager.default.removeItem(at: directory) }

    private func cli(_ arguments: [String], environment: [String: String] = [:]) throws -> CLIResult {
        try CLIRunner.run(arguments, in: directory, environment: environment)
    }

    func testBFloat16LayersFollowTheCPU() throws {
        _ = try CLIFixtures.writeArchive(OptimizeCommandTests.twoConvGraph(), named: "m.efa", in: directory)
        let samples = Tensor(shape: [4, 4, 8, 8], scalars: (0..<1024).map { Float(($0 * 29) % 23) / 23 - 0.5 })
        try CLIFixtures.writeNPY(samples, named: "calib.npy", in: directory)
        let input = Tensor(shape: [1, 4, 8, 8], scalars: (0..<256).map { Float(($0 * 7) % 13) / 13 - 0.4 })
        try CLIFixtures.writeNPY(input, named: "x.npy", in: directory)
        try Data("quantization_param([c2], precision_mode=bf16)\n".utf8)
            .write(to: directory.appendingPathComponent("bf16.alls"))
        let optimized = try cli(["optimize", "m.efa", "--calib-set", "calib.npy", "--model-script", "bf16.alls",
                                 "-o", "q.efa"])
        XCTAssertEqual(optimized.status, 0, optimized.stderr)
        XCTAssertFalse((optimized.stdout + optimized.stderr).contains("not implemented"), optimized.stdout)

        let capped = try cli(["compile", "q.efa", "-o", "capped.efx"], environment: ["ONEDNN_MAX_CPU_ISA": "AVX2"])
        XCTAssertEqual(capped.status, EdgeflowExitCode.unsupported, capped.stderr + capped.stdout)
        XCTAssertTrue(capped.stderr.contains("puts 1 layer(s) in bf16 (c2)"), capped.stderr)
        XCTAssertTrue(capped.stderr.contains("hint: quantize with precision_mode=float"), capped.stderr)
        XCTAssertFalse(FileManager.default.fileExists(atPath: directory.appendingPathComponent("capped.efx").path))

        let cpuinfo = (try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8)) ?? ""
        guard CPUFeatures(cpuinfo: cpuinfo).flags.contains("avx512_bf16") else {
            throw XCTSkip("no avx512_bf16 here: only the refusal above can run (the kernels need it)")
        }
        let compiled = try cli(["compile", "q.efa", "-o", "q.efx"])
        XCTAssertEqual(compiled.status, 0, compiled.stderr)
        XCTAssertTrue(compiled.stdout.contains("needs CPU features: avx512_bf16"), compiled.stdout)
        let ran = try cli(["run", "q.efx", "--input", "x.npy", "--output-dir", "run"])
        XCTAssertEqual(ran.status, 0, ran.stderr)
        let emulated = try cli(["infer", "q.efa", "--emulate", "quantized", "--input", "x.npy", "--output-dir", "emu"])
        XCTAssertEqual(emulated.status, 0, emulated.stderr)
        let names = try FileManager.default.contentsOfDirectory(atPath: directory.appendingPathComponent("run").path)
        XCTAssertFalse(names.isEmpty)
        for name in names {
            let a = try Data(contentsOf: directory.appendingPathComponent("run/\(name)"))
            let b = try Data(contentsOf: directory.appendingPathComponent("emu/\(name)"))
            XCTAssertEqual(a, b, "\(name): the executable's bytes differ from the emulator's")
        }
    }
}
