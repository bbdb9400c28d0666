// Enforces the module table of docs/architecture.md: every `import` in Sources/<Module> and
// Examples/<Module> must be one the table allows, every target dependency in Package.swift as
// well, and no deploy-side module may reach a build-side one.

import EFTestSupport
import Foundation
import XCTest

final class ImportRulesTests: XCTestCase {
    /// One row of the table.
    struct Rule {
        let side: String
        let allowed: Set<String>
    }

    private func moduleTable() throws -> [String: Rule] {
        let doc = try String(contentsOf: TestData.repoRoot.appendingPathComponent("docs/architecture.md"), encoding: .utf8)
        let table = try XCTUnwrap(doc.components(separatedBy: "<!-- module-table:begin -->").last?
            .components(separatedBy: "<!-- module-table:end -->").first)
        var rules: [String: Rule] = [:]
        for line in table.split(separator: "\n") where line.hasPrefix("|") {
            let cells = line.split(separator: "|", omittingEmptySubsequences: false).dropFirst().dropLast()
                .map { $0.trimmingCharacters(in: .whitespaces) }
            guard cells.count == 5, Int(cells[0]) != nil else { continue }
            let permitted = Set(cells[4].split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) })
            for module in cells[2].split(separator: ",") {  // a row may name several module maps
                rules[module.trimmingCharacters(in: .whitespaces)] = Rule(side: cells[1], allowed: permitted)
            }
        }
        XCTAssertFalse(rules.isEmpty, "no module table found in docs/architecture.md")
        return rules
    }

    func testEverySourceImportIsAllowedByTheModuleTable() throws {
        let rules = try moduleTable()
        var violations: [String] = []
        for root in ["Sources", "Examples"] {
            let folder = TestData.repoRoot.appendingPathComponent(root)
            let modules = (try? FileManager.default.contentsOfDirectory(atPath: folder.path).sorted()) ?? []
            for module in modules {
                guard let rule = rules[module] ?? rules[exampleTarget(module)] else {
                    violations.append("module \(root)/\(module) is missing from the table in docs/architecture.md")
                    continue
                }
                let enumerator = FileManager.default.enumerator(atPath: folder.appendingPathComponent(module).path)
                while let file = enumerator?.nextObject() as? String {
                    guard file.hasSuffix(".swift") else { continue }
                    let url = folder.appendingPathComponent(module).appendingPathComponent(file)
                    for name in try imports(in: String(contentsOf: url, encoding: .utf8))
                    where !rule.allowed.contains(name) && !["Glibc", "Musl", "Darwin"].contains(name) {
                        violations.append("\(module)/\(file) imports \(name)")
                    }
                }
            }
        }
        XCTAssertEqual(violations, [], "imports that break docs/architecture.md")
    }

    func testPackageDependenciesFollowTheTableAndTheSides() throws {
        let rules = try moduleTable()
        let manifest = try String(contentsOf: TestData.repoRoot.appendingPathComponent("Package.swift"), encoding: .utf8)
        var violations: [String] = []
        var checked = 0
        for (target, dependencies) in targets(in: manifest) {
            guard let rule = rules[target] else { continue }  // test targets and helpers
            checked += 1
            for dependency in dependencies {
                if !rule.allowed.contains(dependency) { violations.append("\(target) depends on \(dependency)") }
                if rule.side == "deploy", rules[dependency]?.side == "build" {
                    violations.append("deploy-side \(target) depends on build-side \(dependency)")
                }
            }
        }
        XCTAssertGreaterThan(checked, 20, "Package.swift's targets were not found")
        XCTAssertEqual(violations, [], "Package.swift dependencies that break docs/architecture.md")
        for (module, rule) in rules where rule.side == "deploy" {
            let reached = rule.allowed.filter { rules[$0]?.side == "build" }
            XCTAssertEqual(reached, [], "the table lets deploy-side \(module) import build-side modules")
        }
    }

    /// The module names a Swift file imports.
    private func imports(in text: String) -> [String] {
        text.split(separator: "\n").compactMap { line in
            let words = line.trimmingCharacters(in: .whitespaces).split(separator: " ")
            guard words.first == "import" || (words.count > 1 && words[0].hasPrefix("@") && words[1] == "import"),
                  let imported = words.last.map(String.init) else { return nil }
            return imported.split(separator: ".").first.map(String.init) ?? imported
        }
    }

    /// Each `.target`/`.executableTarget` of Package.swift with its package-internal
    /// dependencies (string entries; `.product(...)` entries are external).
    private func targets(in manifest: String) -> [(String, [String])] {
        let pattern = try! NSRegularExpression(
            pattern: #"\.(?:target|executableTarget)\(name: "([^"]+)"(?:,\s*dependencies:\s*\[([^\]]*)\])?"#)
        let range = NSRange(manifest.startIndex..., in: manifest)
        return pattern.matches(in: manifest, range: range).map { match in
            let name = String(manifest[Range(match.range(at: 1), in: manifest)!])
            let list = Range(match.range(at: 2), in: manifest).map { String(manifest[$0]) } ?? ""
            let quoted = try! NSRegularExpression(pattern: #"^\s*"([^"]+)""#, options: .anchorsMatchLines)
            let entries = list.split(separator: ",").map(String.init).compactMap { entry -> String? in
                guard let m = quoted.firstMatch(in: entry, range: NSRange(entry.startIndex..., in: entry)) else { return nil }
                return String(entry[Range(m.range(at: 1), in: entry)!])
            }
            return (name, entries)
        }
    }

    /// Examples/<Folder> holds the target named in the table (e.g. RunExecutable → edgeflow-run-example).
    private func exampleTarget(_ folder: String) -> String {
        ["RunExecutable": "edgeflow-run-example"][folder] ?? folder
    }
}
