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

    /// `--target-cosine` with `--promote-to bf16,float`: the report lists the promoted layers in bf16,
    /// the archive marks them (compile refuses them where oneDNN is capped below bf16, and optimize
    /// says so there); bad lists are refused before anything is read.
    func testPromotionToBFloat16() throws {
        _ = try CLIFixtures.writeArchive(OptimizeCommandTests.twoConvGraph(), named: "m.efa", in: directory)
        let samples = Tensor(shape: [8, 4, 8, 8], scalars: (0..<2048).map { Float(($0 * 29) % 23) / 23 - 0.5 })
        try CLIFixtures.writeNPY(samples, named: "calib.npy", in: directory)
        for (arguments, message) in [(["--target-cosine", "0.99", "--promote-to", "a8_w8"], "takes a16_w8, bf16"),
                                     (["--target-cosine", "0.99", "--promote-to", "bf16,bf16"], "names bf16 twice"),
                                     (["--promote-to", "bf16"], "--promote-to needs --target-cosine")] {
            let bad = try cli(["optimize", "m.efa", "--calib-set", "calib.npy", "-o", "bad.efa"] + arguments)
            XCTAssertNotEqual(bad.status, 0)
            XCTAssertTrue(bad.stderr.contains(message), bad.stderr)
            XCTAssertFalse(FileManager.default.fileExists(atPath: directory.appendingPathComponent("bad.efa").path))
        }
        let optimized = try cli(["optimize", "m.efa", "--calib-set", "calib.npy", "--target-cosine", "0.99998",
                                 "--promote-to", "bf16,float", "-o", "q.efa", "--json"],
                                environment: ["ONEDNN_MAX_CPU_ISA": "AVX2"])
        XCTAssertEqual(optimized.status, 0, optimized.stderr)
        let report = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(optimized.stdout.utf8))
            as? [String: Any])
        let quantization = try XCTUnwrap(report["quantization"] as? [String: Any])
        let search = try XCTUnwrap(quantization["sensitivity"] as? [String: Any])
        let promoted = try XCTUnwrap(search["promoted"] as? [[String: Any]])
        let bf16 = promoted.filter { $0["precision"] as? String == "bf16" }.compactMap { $0["layer"] as? String }
        XCTAssertFalse(bf16.isEmpty, optimized.stdout)
        XCTAssertEqual(quantization["bfloat16Layers"] as? Int, bf16.count)
        XCTAssertTrue((search["speedCostNote"] as? String ?? "").contains("no bfloat16 kernels"), "\(search)")
        XCTAssertTrue(optimized.stderr.contains("layer(s) are in bf16 and this CPU has no bf16 kernels"),
                      optimized.stderr)
        let capped = try cli(["compile", "q.efa", "-o", "q.efx"], environment: ["ONEDNN_MAX_CPU_ISA": "AVX2"])
        XCTAssertEqual(capped.status, EdgeflowExitCode.unsupported, capped.stderr)
        XCTAssertTrue(capped.stderr.contains("layer(s) in bf16 (\(bf16.first ?? "?")"), capped.stderr)
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
        XCTAssertTrue(capped.stderr.contains("has 1 layer(s) in bf16 (c2)"), capped.stderr)
        XCTAssertTrue(capped.stderr.contains("hint: quantize again without bf16"), capped.stderr)
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
