// Plays the ONNX backend suites (BackendSuite: onnx 1.22.0's shipped data and onnx 1.23.2's
// generated node cases, both fetched by scripts/setup.sh) and checks every case's outcome against
// its manifest. Prints a per-op table (`op  passed/total`, counting a case for each op type in its
// model) and `N passed, N failed, N skipped`, where failed means the outcome changed; the 1.23 run
// also prints how many of the cases new in 1.23 pass. EDGEFLOW_UPDATE_MANIFEST=1 rewrites the
// manifests instead of failing; EDGEFLOW_CONFORMANCE_FILTER=SUBSTRING runs only matching cases and
// prints each outcome without comparing (for developing an op).

import EFTestSupport
import Foundation
import XCTest

final class ConformanceTests: XCTestCase {
    func testBackendSuiteMatchesManifest() throws {
        try play(.onnx122)
    }

    func testOnnx123NodeSuiteMatchesManifest() throws {
        let outcomes = try play(.onnx123)
        // Cases whose names the 1.22.0 suite lacks: what onnx 1.23 added.
        let older = try Manifest(text: String(contentsOf: BackendSuite.onnx122.manifestURL, encoding: .utf8))
        let new = outcomes.filter { older.outcomes[$0.key] == nil }
        print("cases new in onnx 1.23: \(new.values.filter { $0.status == .pass }.count) of \(new.count) pass")
    }

    @discardableResult
    private func play(_ suite: BackendSuite) throws -> [String: CaseOutcome] {
        guard let cases = suite.cases() else {
            XCTFail("the ONNX \(suite.onnxVersion) backend suite is not at \(suite.root.path): run scripts/setup.sh "
                + "(or set EDGEFLOW_TESTDATA)")
            return [:]
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
        if let filter = ProcessInfo.processInfo.environment["EDGEFLOW_CONFORMANCE_FILTER"], !filter.isEmpty {
            for (id, outcome) in outcomes.sorted(by: { $0.key < $1.key }) {
                let efx = executable[id].map { " [efx: \(describe($0))]" } ?? ""
                print("\(id): \(describe(outcome))\(efx)")
            }
            let passed = outcomes.values.filter { $0.status == .pass }.count
            print("filter '\(filter)': \(passed) of \(outcomes.count) pass")
            return outcomes
        }

        let manifestText = (try? String(contentsOf: suite.manifestURL, encoding: .utf8)) ?? ""
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

        print("onnx \(suite.onnxVersion) suite, op\tpassed/total")
        for (op, count) in perOp.sorted(by: { $0.key < $1.key }) { print("\(op)\t\(count.passed)/\(count.total)") }
        if !details.isEmpty {
            print("reasons changed without changing outcomes (\(details.count)); regenerate the manifest to record them:")
            details.prefix(20).forEach { print("  \($0)") }
        }
        let passed = outcomes.values.filter { $0.status == .pass }.count
        let executablePassed = executable.values.filter { $0.status == .pass }.count
        print("executable (.efx) path: \(executablePassed) of \(passed) reference passes also pass compiled")
        print(String(format: "ran %d cases in %.1f s; %d imported with shape-deciding inputs frozen",
                     cases.count, elapsed, frozen))

        if ProcessInfo.processInfo.environment["EDGEFLOW_UPDATE_MANIFEST"] == "1" {
            let text = manifest.updated(with: outcomes, executable: executable).text(onnxVersion: suite.onnxVersion)
            try text.write(to: suite.manifestURL, atomically: true, encoding: .utf8)
            print("rewrote \(suite.manifestURL.path) (\(changes.count) outcome changes)")
            print("\(passed) passed, 0 failed, \(outcomes.count - passed) skipped")
            return outcomes
        }
        let skipped = outcomes.filter { $0.value.status == .skip && !changedIDs.contains($0.key) }.count
        let passedUnchanged = outcomes.filter { $0.value.status == .pass && !changedIDs.contains($0.key) }.count
        print("\(passedUnchanged) passed, \(changes.count) failed, \(skipped) skipped")
        XCTAssert(changes.isEmpty, "\(changes.count) outcomes differ from \(suite.manifestName):\n"
            + changes.joined(separator: "\n")
            + "\n(if intended, regenerate: EDGEFLOW_UPDATE_MANIFEST=1 swift test -c release --filter ConformanceTests)")
        return outcomes
    }

    private func describe(_ outcome: CaseOutcome) -> String {
        outcome.status == .pass ? "pass" : "skip (\(outcome.reason))"
    }
}
