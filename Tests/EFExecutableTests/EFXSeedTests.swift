// The committed fuzz seeds of the `efx` target (Fuzz/seeds/efx) are small files this writer
// makes; this test checks they still are, and rewrites them when run with
// EDGEFLOW_WRITE_EFX_SEEDS=1 (after a deliberate format change).

import EFCore
import EFExecutable
import EFTestSupport
import Foundation
import XCTest

final class EFXSeedTests: XCTestCase {
    /// The seeds by file name: no sections; the four known kinds (one empty); an unknown kind
    /// with flags and a length that needs padding.
    static func seeds() throws -> [(String, Data)] {
        let weights = Data((0..<256).map { UInt8(truncatingIfNeeded: $0 &* 37) })
        return [
            ("empty.efx", try EFXWriter.encode([])),
            ("four_sections.efx", try EFXWriter.encode([
                EFXSection(kind: .metadata, bytes: Data(#"{"name":"seed","inputs":["x"]}"#.utf8)),
                EFXSection(kind: .program, bytes: Data([1, 0, 0, 0, 2, 0, 0, 0, 3])),
                EFXSection(kind: .weights, bytes: weights),
                EFXSection(kind: .recipe, bytes: Data()),
            ])),
            ("custom_kind.efx", try EFXWriter.encode([EFXSection(kind: "Xt_1", flags: 0x8000_0001,
                                                                 bytes: Data("odd length!".utf8))])),
        ]
    }

    func testCommittedSeedsAreWhatTheWriterMakes() throws {
        let directory = TestData.repoRoot.appendingPathComponent("Fuzz/seeds/efx")
        let rewrite = ProcessInfo.processInfo.environment["EDGEFLOW_WRITE_EFX_SEEDS"] == "1"
        if rewrite { try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true) }
        for (name, data) in try Self.seeds() {
            let url = directory.appendingPathComponent(name)
            if rewrite { try data.write(to: url) }
            XCTAssertEqual(try Data(contentsOf: url), data, "\(name): run with EDGEFLOW_WRITE_EFX_SEEDS=1")
            XCTAssertEqual(try EFXFile(data: data, label: name).fileSize, data.count)
        }
    }
}
