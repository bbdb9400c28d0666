// The HTML page as text: hostile node, op and model names come out escaped everywhere (table,
// chart, summary, title), the page is self-contained, and every step has its row and its bar.

import EFProfiler
import Foundation
import XCTest

final class ProfileHTMLTests: XCTestCase {
    static let hostile = "</td><script>alert('x')</script><img src=x onerror=\"alert(1)\">&amp;"

    func testEscapeReplacesMarkupCharactersAndControls() {
        XCTAssertEqual(HTMLText.escape("a<b>&\"c'"), "a&lt;b&gt;&amp;&quot;c&#39;")
        XCTAssertEqual(HTMLText.escape("tab\there\u{0}\u{1B}"), "tab\there\u{FFFD}\u{FFFD}")
        XCTAssertEqual(HTMLText.escape("ünïcødé 名前"), "ünïcødé 名前")
    }

    func testHostileNamesNeverReachThePageUnescaped() throws {
        var report = try ProfileFixtures.report(steps: 8) { $0 == 3 ? Self.hostile : "n\($0)" }
        report.model = "<b>model</b>"
        report.steps[2].op = "<svg onload=alert(2)>"
        report.steps[4].kernel = "k\"><script>"
        report.cpu.modelName = "cpu<script>"
        let html = ProfileHTML.render(report)
        XCTAssertFalse(html.contains("<script>alert"), "a node name opened a script element")
        XCTAssertFalse(html.contains("<img"), "a node name made an element")
        XCTAssertFalse(html.contains("<svg onload"), "an op name made an element")
        XCTAssertFalse(html.contains("<b>model"), "the model name made an element")
        XCTAssertFalse(html.contains("k\"><script>"), "a kernel name broke out of an attribute")
        XCTAssertFalse(html.contains("cpu<script>"))
        XCTAssertEqual(html.components(separatedBy: "<script>").count - 1, 1, "only the page's own script")
        XCTAssertTrue(html.contains("&lt;/td&gt;&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;"))
        XCTAssertTrue(html.contains("&amp;amp;"), "an ampersand in a name is escaped, not taken as a reference")
        XCTAssertTrue(html.contains("<title>Edgeflow profile: &lt;b&gt;model&lt;/b&gt;</title>"))
    }

    func testPageIsSelfContainedWithARowAndABarPerStep() throws {
        let report = try ProfileFixtures.report(steps: 40)
        let html = ProfileHTML.render(report)
        XCTAssertTrue(html.hasPrefix("<!DOCTYPE html>"))
        for external in ["<link", "src=\"http", "src='http", "url(http", "@import", "<script src"] {
            XCTAssertFalse(html.contains(external), "the page loads something from outside: \(external)")
        }
        for step in report.steps {
            XCTAssertTrue(html.contains("<tr id=\"step-\(step.index)\" data-index=\"\(step.index)\">"),
                          "no table row for step \(step.index)")
        }
        XCTAssertEqual(html.components(separatedBy: "<rect ").count - 1, 40, "one bar per step in the chart")
        let top = try XCTUnwrap(html.components(separatedBy: "id=\"top5\"").last?
            .components(separatedBy: "</table>").first)
        XCTAssertEqual(top.components(separatedBy: "<tr>").count - 1, 5, "the five slowest layers")
        let slowest = report.slowestSteps(1)[0]
        XCTAssertTrue(top.contains("<tr><td>\(slowest.index)</td>"), "the slowest step leads the top five")
    }

    func testFormatsAreShortAndHumanReadable() {
        XCTAssertEqual(HTMLText.duration(850), "850 ns")
        XCTAssertEqual(HTMLText.duration(12_345), "12.3 µs")
        XCTAssertEqual(HTMLText.duration(4_560_000), "4.56 ms")
        XCTAssertEqual(HTMLText.duration(1_230_000_000), "1.23 s")
        XCTAssertEqual(HTMLText.count(950), "950")
        XCTAssertEqual(HTMLText.count(45_600_000), "45.6 M")
        XCTAssertEqual(HTMLText.bytes(1_536), "1.50 KiB")
        XCTAssertEqual(HTMLText.percent(nil), "-")
        XCTAssertEqual(HTMLText.percent(12.34), "12.3%")
    }
}
