// Enforces the module table of docs/architecture.md: every `import` in Sources/<Module> must be
// one the table allows.

import EFTestSupport
import Foundation
import XCTest

final class ImportRulesTests: XCTestCase {
    func testEverySourceImportIsAllowedByTheModuleTable() throws {
        let doc = try String(contentsOf: TestData.repoRoot.appendingPathComponent("docs/architecture.md"), encoding: .utf8)
        let table = try XCTUnwrap(doc.components(separatedBy: "<!-- module-table:begin -->").last?
            .components(separatedBy: "<!-- module-table:end -->").first)
        var allowed: [String: Set<String>] = [:]
        for line in table.split(separator: "\n") where line.hasPrefix("|") {
            let cells = line.split(separator: "|").map { $0.trimmingCharacters(in: .whitespaces) }
            guard cells.count == 4, Int(cells[0]) != nil else { continue }
            let permitted = Set(cells[3].split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) })
            for module in cells[1].split(separator: ",") {  // a row may name several module maps
                allowed[module.trimmingCharacters(in: .whitespaces)] = permitted
            }
        }
        XCTAssertFalse(allowed.isEmpty, "no module table found in docs/architecture.md")

        let sources = TestData.repoRoot.appendingPathComponent("Sources")
        let modules = try FileManager.default.contentsOfDirectory(atPath: sources.path).sorted()
        var violations: [String] = []
        for module in modules {
            guard let permitted = allowed[module] else {
                violations.append("module \(module) is missing from the table in docs/architecture.md")
                continue
            }
            let enumerator = FileManager.default.enumerator(atPath: sources.appendingPathComponent(module).path)
            while let file = enumerator?.nextObject() as? String {
                guard file.hasSuffix(".swift") else { continue }
                let text = try String(contentsOf: sources.appendingPathComponent(module).appendingPathComponent(file), encoding: .utf8)
                for line in text.split(separator: "\n") {
                    let words = line.trimmingCharacters(in: .whitespaces).split(separator: " ")
                    guard words.first == "import" || (words.count > 1 && words[0].hasPrefix("@") && words[1] == "import"),
                          let imported = words.last.map(String.init) else { continue }
                    let name = imported.split(separator: ".").first.map(String.init) ?? imported
                    if !permitted.contains(name) && !["Glibc", "Musl", "Darwin"].contains(name) {
                        violations.append("\(module)/\(file) imports \(name)")
                    }
                }
            }
        }
        XCTAssertEqual(violations, [], "imports that break docs/architecture.md")
    }
}
