// The HTML report as a browser shows it: headless Chromium renders a 40-step report to a PNG
// that is decoded and checked for real content (many colours, the header and bar colours), and
// dumps the DOM after the sorting script ran (every row present, sorted by `#sort=-median`).

import EFMedia
import EFProfiler
import EFTestSupport
import Foundation
import XCTest

final class ProfileRenderTests: XCTestCase {
    func testScreenshotShowsAColourfulPageWithHeaderAndBars() throws {
        guard let chromium = Chromium.required() else { return }
        let dir = try TestData.temporaryDirectory("efprofiler-render")
        defer { try? FileManager.default.removeItem(at: dir) }
        let page = dir.appendingPathComponent("profile.html")
        try ProfileHTML.render(try ProfileFixtures.report(steps: 40)).write(to: page, atomically: true,
                                                                           encoding: .utf8)
        let png = dir.appendingPathComponent("shot.png")
        _ = try Chromium.run(chromium, ["--hide-scrollbars", "--screenshot=\(png.path)", "--window-size=1280,2000",
                                        page.absoluteString], workDirectory: dir)
        if let keep = ProcessInfo.processInfo.environment["EFPROFILER_KEEP"] {  // to look at the page by eye
            for file in [page, png] {
                let copy = URL(fileURLWithPath: keep).appendingPathComponent(file.lastPathComponent)
                try? FileManager.default.removeItem(at: copy)
                try FileManager.default.copyItem(at: file, to: copy)
            }
        }
        let image = try ImageDecoder.decode(contentsOf: png).image
        XCTAssertEqual([image.width, image.height], [1280, 2000])
        var colours = Set<UInt32>(), nonWhite = 0
        let c = image.channels
        for p in stride(from: 0, to: image.pixels.count, by: c) {
            let r = image.pixels[p], g = image.pixels[p + 1], b = image.pixels[p + 2]
            colours.insert(UInt32(r) << 16 | UInt32(g) << 8 | UInt32(b))
            if r < 245 || g < 245 || b < 245 { nonWhite += 1 }
        }
        let pixels = image.width * image.height
        XCTAssertGreaterThan(colours.count, 200, "a blank or flat screenshot: \(colours.count) colours")
        XCTAssertGreaterThan(Double(nonWhite) / Double(pixels), 0.2, "mostly white: \(nonWhite) of \(pixels)")
        let report = try ProfileFixtures.report(steps: 40)
        let opColours = ProfileHTML.opColours(report)
        XCTAssertEqual(Set(opColours.values).count, ProfileFixtures.ops.count, "two ops share a colour")
        for hex in ["#1d3557"] + opColours.values.sorted() {
            XCTAssertTrue(Self.has(colour: hex, in: colours), "no \(hex) pixels: the header or a bar is missing")
        }
    }

    func testDOMAfterScriptsListsEveryStepSortedByTheAddressFragment() throws {
        guard let chromium = Chromium.required() else { return }
        let dir = try TestData.temporaryDirectory("efprofiler-dom")
        defer { try? FileManager.default.removeItem(at: dir) }
        let report = try ProfileFixtures.report(steps: 40)
        let page = dir.appendingPathComponent("profile.html")
        try ProfileHTML.render(report).write(to: page, atomically: true, encoding: .utf8)
        let dom = try Chromium.run(chromium, ["--dump-dom", page.absoluteString + "#sort=-median"],
                                   workDirectory: dir)
        XCTAssertTrue(dom.contains("data-js=\"ready\""), "the sorting script did not run")
        XCTAssertTrue(dom.contains("data-sorted=\"median:desc\""), "the #sort fragment was not applied")
        let body = try XCTUnwrap(dom.components(separatedBy: "<tbody>").last?.components(separatedBy: "</tbody>").first)
        let rows = Self.rowIndices(in: body)
        XCTAssertEqual(rows.count, 40, "rows in the table after the script ran")
        XCTAssertEqual(Set(rows), Set(0..<40), "every step has its row")
        let expected = report.steps.sorted {
            $0.medianNanoseconds != $1.medianNanoseconds ? $0.medianNanoseconds > $1.medianNanoseconds
                : $0.index < $1.index
        }.map(\.index)
        XCTAssertEqual(rows, expected, "rows not in descending median order")
        for step in report.steps {
            XCTAssertTrue(body.contains(">\(step.name)</td>"), "row of \(step.name) lacks its name")
        }
    }

    static func rowIndices(in body: String) -> [Int] {
        body.components(separatedBy: "<tr id=\"step-").dropFirst().compactMap { part in
            Int(part.prefix { $0.isNumber })
        }
    }

    static func has(colour hex: String, in colours: Set<UInt32>) -> Bool {
        guard let value = UInt32(hex.dropFirst(), radix: 16) else { return false }
        let (r, g, b) = (Int(value >> 16 & 255), Int(value >> 8 & 255), Int(value & 255))
        return colours.contains { c in
            abs(Int(c >> 16 & 255) - r) <= 3 && abs(Int(c >> 8 & 255) - g) <= 3 && abs(Int(c & 255) - b) <= 3
        }
    }
}
