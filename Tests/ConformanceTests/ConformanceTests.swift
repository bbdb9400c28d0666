// Plays the ONNX backend test suite (fetched by scripts/setup.sh into
// .testdata/onnx-backend/{node,pytorch-converted,pytorch-operator,simple}) and checks every
// case's outcome against manifest.tsv. Prints a per-op table (`op  passed/total`, counting a
// case for each op type in its model) and `N passed, N failed, N skipped`, where failed means
// the outcome changed. EDGEFLOW_UPDATE_MANIFEST=1 rewrites the manifest instead of failing.

import EFTestSupport
import Foundation
import XCTest

final class ConformanceTests: XCTestCase {
    static let suites = ["node", "pytorch-converted", "pytorch-operator", "simple"]
    static var manifestURL: URL { TestData.repoRoot.appendingPathComponent("Tests/ConformanceTests/manifest.tsv") }

    func testBackendSuiteMatchesManifest() throws {
        let root = TestData.fetched.appendingPathComponent("onnx-backend")
        guard let cases = discoverCases(in: root) else {
            return XCTFail("the ONNX backend suite is not at \(root.path): run scripts/setup.sh (or set EDGEFLOW_TESTDATA)")
        }
        let clock = Date()
        var outcomes: [String: CaseOutcome] = [:], executable: [String: CaseOutcome] = [:]
        var perOp: [String: (passed: Int, total: Int)] = [:]
        var frozen = 0
        for var conformanceCase in cases {
            let outcome = conformanceCase.run()
            outcomes[conformanceCase.id] = outcome
            executable[conformanceCase.id] = conformanceCase.executableOutcome
            if conformanceCase.frozeInputs { frozen += 1 }
            for op in conformanceCase.opTypes {
                perOp[op, default: (0, 0)].total += 1
                if outcome.status == .pass { perOp[op, default: (0, 0)].passed += 1 }
            }
        }
        let elapsed = Date().timeIntervalSince(clock)

        let manifestText = (try? String(contentsOf: Self.manifestURL, encoding: .utf8)) ?? ""
        let manifest = try Manifest(text: manifestText)
        var changes: [String] = [], details: [String] = [], changedIDs = Set<String>()
        for id in Set(outcomes.keys).union(manifest.outcomes.keys).sorted() {
            let now = outcomes[id], before = manifest.outcomes[id]
            switch (before, now) {
            case (nil, let now?):
                changes.append("\(id): new case, now \(describe(now))")
                changedIDs.insert(id)
            case (let before?, nil):
                changes.append("\(id): in the manifest (\(describe(before))) but not in the suite")
            case (let before?, let now?) where before.key != now.key:
                changes.append("\(id): was \(describe(before)), now \(describe(now))")
                changedIDs.insert(id)
            case (let before?, let now?) where before.reason != now.reason && !before.reason.hasPrefix(now.reason):
                details.append("\(id): \(describe(before)) → \(describe(now))")
            default: break
            }
            let executableBefore = manifest.executable[id], executableNow = executable[id]
            if let now = executableNow, executableBefore?.key != now.key {
                changes.append("\(id) [efx]: was \(executableBefore.map(describe) ?? "not run"), now \(describe(now))")
                changedIDs.insert(id)
            }
        }

        print("op\tpassed/total")
        for (op, count) in perOp.sorted(by: { $0.key < $1.key }) { print("\(op)\t\(count.passed)/\(count.total)") }
        if !details.isEmpty {
            print("reasons changed without changing outcomes (\(details.count)); regenerate the manifest to record them:")
            details.prefix(20).forEach { print("  \($0)") }
        }
        let passed = outcomes.values.filter { $0.status == .pass }.count
        let executablePassed = executable.values.filter { $0.status == .pass }.count
        print("executable (.efx) path: \(executablePassed) of \(passed) reference passes also pass compiled")
        print(String(format: "ran %d cases in %.1f s; %d imported with shape-deciding inputs frozen", cases.count, elapsed, frozen))

        if ProcessInfo.processInfo.environment["EDGEFLOW_UPDATE_MANIFEST"] == "1" {
            try manifest.updated(with: outcomes, executable: executable).text.write(to: Self.manifestURL, atomically: true, encoding: .utf8)
            print("rewrote \(Self.manifestURL.path) (\(changes.count) outcome changes)")
            print("\(passed) passed, 0 failed, \(outcomes.count - passed) skipped")
            return
        }
        let skipped = outcomes.filter { $0.value.status == .skip && !changedIDs.contains($0.key) }.count
        let passedUnchanged = outcomes.filter { $0.value.status == .pass && !changedIDs.contains($0.key) }.count
        print("\(passedUnchanged) passed, \(changes.count) failed, \(skipped) skipped")
        XCTAssert(changes.isEmpty, "\(changes.count) outcomes differ from manifest.tsv:\n" + changes.joined(separator: "\n")
            + "\n(if intended, regenerate: EDGEFLOW_UPDATE_MANIFEST=1 swift test -c release --filter ConformanceTests)")
    }

    private func describe(_ outcome: CaseOutcome) -> String {
        outcome.status == .pass ? "pass" : "skip (\(outcome.reason))"
    }

    /// Every case directory of the four suites, sorted; nil when the suite is not fetched.
    private func discoverCases(in root: URL) -> [ConformanceCase]? {
        let files = FileManager.default
        guard files.fileExists(atPath: root.appendingPathComponent("node").path) else { return nil }
        var cases: [ConformanceCase] = []
        for suite in Self.suites {
            let directory = root.appendingPathComponent(suite)
            let names = (try? files.contentsOfDirectory(atPath: directory.path)) ?? []
            for name in names.sorted() where files.fileExists(atPath: directory.appendingPathComponent("\(name)/model.onnx").path) {
                cases.append(ConformanceCase(id: "\(suite)/\(name)", directory: directory.appendingPathComponent(name)))
            }
        }
        return cases
    }
}
