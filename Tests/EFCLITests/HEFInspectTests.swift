// `edgeflow inspect` on a real Hailo HEF (the committed EFHailoTests fixture): text, --json,
// a damaged copy, and the refusal text `edgeflow run` prints.

import EFCLI
import EFTestSupport
import Foundation
import XCTest

final class HEFInspectTests: XCTestCase {
    private var directory: URL!

    override func setUpWithError() throws { directory = try TestData.temporaryDirectory("edgeflow-hef") }
    override func tearDownWithError() throws { try? FileManager.default.removeItem(at: directory) }

    /// The real MNIST HEF, copied without its extension: the kind is recognized by its bytes.
    private func copyFixture(as name: String) throws -> URL {
        let source = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("EFHailoTests/Fixtures/mnist_cnn_v0.hef")
        let target = directory.appendingPathComponent(name)
        try FileManager.default.copyItem(at: source, to: target)
        return target
    }

    func testTextReport() throws {
        _ = try copyFixture(as: "mnist.bin")
        let result = try CLIRunner.run(["inspect", "mnist.bin"], in: directory)
        XCTAssertEqual(result.status, 0, result.stderr)
        XCTAssertTrue(result.stdout.contains("header version 0"), result.stdout)
        XCTAssertTrue(result.stdout.contains("MD5 over proto: FB584E3E649EDFFF255DED448AAFC0A5 ok"), result.stdout)
        XCTAssertTrue(result.stdout.contains("Architecture HEF was compiled for: HAILO8"), result.stdout)
        XCTAssertTrue(result.stdout.contains("Network group name: MNIST_CNN, Single Context"), result.stdout)
        XCTAssertTrue(result.stdout.contains("            Input  MNIST_CNN/input_layer1 UINT8, NHWC(32x32x1)"),
                      result.stdout)
        XCTAssertTrue(result.stdout.contains("            Output MNIST_CNN/maxpool3 UINT8, FCR(4x4x16)"), result.stdout)
    }

    func testJSONReport() throws {
        _ = try copyFixture(as: "mnist.hef")
        let result = try CLIRunner.run(["inspect", "mnist.hef", "--json"], in: directory)
        XCTAssertEqual(result.status, 0, result.stderr)
        let object = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        XCTAssertEqual(object["sdkVersion"] as? String, "3.27.0")
        let groups = try XCTUnwrap(object["networkGroups"] as? [[String: Any]])
        let outputs = try XCTUnwrap(groups.first?["outputs"] as? [[String: Any]])
        XCTAssertEqual(outputs.first?["shape"] as? [Int], [4, 4, 16])
        let quant = try XCTUnwrap(outputs.first?["quantization"] as? [String: Any])
        XCTAssertEqual(try XCTUnwrap(quant["scale"] as? Double), 0.035731196, accuracy: 1e-8)
    }

    func testDamagedHEFIsRefusedAndRunRefusalExplains() throws {
        let url = try copyFixture(as: "mnist.hef")
        var bytes = try Data(contentsOf: url)
        bytes[1000] ^= 0x01
        try bytes.write(to: directory.appendingPathComponent("bad.hef"))
        let bad = try CLIRunner.run(["inspect", "bad.hef"], in: directory)
        XCTAssertNotEqual(bad.status, 0)
        XCTAssertTrue(bad.stderr.contains("HEF proto: damaged"), bad.stderr)
        XCTAssertEqual(bad.stdout, "")
        let shown = try CLIRunner.run(["inspect", "bad.hef", "--no-verify"], in: directory)
        XCTAssertEqual(shown.status, 0, shown.stderr)
        XCTAssertTrue(shown.stdout.contains("MISMATCH"), shown.stdout)
        let refusal = HEFInspection.runRefusal(url: url)
        XCTAssertTrue(refusal.contains("runs on a Hailo device with HailoRT"), refusal)
        XCTAssertTrue(refusal.contains("Network group name: MNIST_CNN"), refusal)
    }
}
