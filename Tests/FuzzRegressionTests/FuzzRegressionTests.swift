// Replays every committed fuzz input through its target in-process: the seeds (Fuzz/seeds) and
// every input a fuzz run ever found (Fuzz/regressions). Each must be accepted or refused with an
// EdgeflowError other than an internal error; a crash fails the whole test run, as it should.

import EFFuzzTargets
import EFTestSupport
import Foundation
import XCTest

final class FuzzRegressionTests: XCTestCase {
    private let fuzzRoot = TestData.repoRoot.appendingPathComponent("Fuzz")

    private func inputs(_ folder: String, _ target: String) throws -> [URL] {
        let directory = fuzzRoot.appendingPathComponent(folder).appendingPathComponent(target)
        guard FileManager.default.fileExists(atPath: directory.path) else { return [] }
        return try FileManager.default.contentsOfDirectory(at: directory, includingPropertiesForKeys: nil)
            .filter { !$0.lastPathComponent.hasPrefix(".") && $0.lastPathComponent != "README.md" }
            .sorted { $0.path < $1.path }
    }

    func testEveryTargetHasSeeds() throws {
        for target in FuzzTargets.all {
            XCTAssertFalse(try inputs("seeds", target.name).isEmpty, "Fuzz/seeds/\(target.name) is empty")
        }
    }

    func testEverySeedAndRegressionFolderBelongsToATarget() throws {
        let names = Set(FuzzTargets.all.map(\.name))
        for folder in ["seeds", "regressions"] {
            let directory = fuzzRoot.appendingPathComponent(folder)
            guard FileManager.default.fileExists(atPath: directory.path) else { continue }
            let entries = try FileManager.default.contentsOfDirectory(atPath: directory.path)
            for entry in entries where entry != "README.md" {
                XCTAssertTrue(names.contains(entry), "Fuzz/\(folder)/\(entry) names no fuzz target")
            }
        }
    }

    func testSeedsAndRegressionsAreHandled() throws {
        var replayed = 0
        for target in FuzzTargets.all {
            for url in try inputs("seeds", target.name) + inputs("regressions", target.name) {
                let finding = target.findingFor(try Data(contentsOf: url))
                XCTAssertNil(finding, "\(target.name): \(url.lastPathComponent): \(finding ?? "")")
                replayed += 1
            }
        }
        XCTAssertGreaterThan(replayed, FuzzTargets.all.count)
    }
}
