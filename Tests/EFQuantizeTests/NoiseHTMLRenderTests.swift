// The noise report page as a browser shows it: headless Chromium clicks a column header (through
// the page's `#click=` hook, which dispatches a real click on the header) and the DOM after the
// script ran must list every layer in the new order; a row selection shows that layer's scatter
// plot; a screenshot must have real content (many colours, the header and bar colours). Hostile
// layer names are escaped.

import EFMedia
import EFQuantize
import EFTestSupport
import Foundation
import XCTest

final class NoiseHTMLRenderTests: XCTestCase {
    /// The analysis of a 10-conv chain (layers differ in MACs and noise).
    private func report() throws -> NoiseReport {
        let float = try NoiseFixtures.optimized(try NoiseFixtures.convChain(10))
        let (quantized, _) = try NoiseFixtures.quantized(float, calibration: NoiseFixtures.samples(float, count: 6,
                                                                                                   seed: 4))
        return try NoiseAnalysis.analyze(quantized: quantized, float: float,
                                         samples: NoiseFixtures.samples(float, count: 3, seed: 90),
                                         NoiseAnalysisOptions(model: "chain <10>", budget: NoiseFixtures.budget()))
    }

    private static func rowIndices(in dom: String) throws -> [Int] {
        let body = try XCTUnwrap(dom.components(separatedBy: "<tbody>").last?.components(separatedBy: "</tbody>").first)
        return body.components(separatedBy: "<tr id=\"layer-").dropFirst().compactMap { Int($0.prefix { $0.isNumber }) }
    }

    func testClickingAHeaderReordersTheRowsAndARowSelectionShowsItsPlot() throws {
        guard let chromium = Chromium.required() else { return }
        let dir = try TestData.temporaryDirectory("efquantize-noise-dom")
        defer { try? FileManager.default.removeItem(at: dir) }
        let report = try report()
        XCTAssertEqual(report.layers.count, 10)
        let page = dir.appendingPathComponent("noise.html")
        try NoiseHTML.render(report).write(to: page, atomically: true, encoding: .utf8)
        XCTAssertFalse(try String(contentsOf: page, encoding: .utf8).contains("http"), "a network asset")
        let initial = try Self.rowIndices(in: try Chromium.run(chromium, ["--dump-dom", page.absoluteString],
                                                                 workDirectory: dir))
        XCTAssertEqual(initial, report.layers.map(\.index), "rows not most sensitive first")
        let chosen = report.layers[3].index
        let dom = try Chromium.run(chromium, ["--dump-dom", page.absoluteString + "#click=macs&select=\(chosen)"],
                                   workDirectory: dir)
        XCTAssertTrue(dom.contains("data-js=\"ready\""), "the script did not run")
        XCTAssertTrue(dom.contains("data-sorted=\"macs:desc\""), "the click on MACs did not sort")
        let rows = try Self.rowIndices(in: dom)
        let ranked = report.layers.enumerated().map { (rank: $0.offset, layer: $0.element) }
        let expected = ranked.sorted { $0.layer.macs != $1.layer.macs ? $0.layer.macs > $1.layer.macs
            : $0.rank < $1.rank }.map(\.layer.index)
        XCTAssertEqual(rows, expected, "rows not in descending MAC order after the click")
        XCTAssertNotEqual(rows, initial, "the click did not change the order")
        XCTAssertTrue(dom.contains("data-selected=\"\(chosen)\""), "the row selection was not applied")
        XCTAssertTrue(dom.contains("class=\"scatter shown\" id=\"scatter-\(chosen)\""), "the selected plot is hidden")
        XCTAssertEqual(dom.components(separatedBy: "class=\"scatter shown\"").count, 2, "not exactly one plot shown")
        let twice = try Chromium.run(chromium, ["--dump-dom", page.absoluteString + "#click=snr_acc,snr_acc"],
                                     workDirectory: dir)
        XCTAssertTrue(twice.contains("data-sorted=\"snr_acc:desc\""), "a second click must reverse the order")
        let byAccumulated = ranked.sorted { $0.layer.accumulatedSNR != $1.layer.accumulatedSNR
            ? $0.layer.accumulatedSNR > $1.layer.accumulatedSNR : $0.rank < $1.rank }.map(\.layer.index)
        XCTAssertEqual(try Self.rowIndices(in: twice), byAccumulated)
    }

    func testScreenshotShowsAColourfulPageWithHeaderAndBars() throws {
        guard let chromium = Chromium.required() else { return }
        let dir = try TestData.temporaryDirectory("efquantize-noise-shot")
        defer { try? FileManager.default.removeItem(at: dir) }
        let page = dir.appendingPathComponent("noise.html")
        try NoiseHTML.render(try report()).write(to: page, atomically: true, encoding: .utf8)
        let png = dir.appendingPathComponent("shot.png")
        _ = try Chromium.run(chromium, ["--hide-scrollbars", "--screenshot=\(png.path)", "--window-size=1280,1800",
                                        page.absoluteString], workDirectory: dir)
        if let keep = ProcessInfo.processInfo.environment["EFNOISE_KEEP"] {  // to look at the page by eye
            for file in [page, png] {
                let copy = URL(fileURLWithPath: keep).appendingPathComponent(file.lastPathComponent)
                try? FileManager.default.removeItem(at: copy)
                try FileManager.default.copyItem(at: file, to: copy)
            }
        }
        let image = try ImageDecoder.decode(contentsOf: png).image
        XCTAssertEqual([image.width, image.height], [1280, 1800])
        var colours = Set<UInt32>(), nonWhite = 0
        for p in stride(from: 0, to: image.pixels.count, by: image.channels) {
            let (r, g, b) = (image.pixels[p], image.pixels[p + 1], image.pixels[p + 2])
            colours.insert(UInt32(r) << 16 | UInt32(g) << 8 | UInt32(b))
            if r < 245 || g < 245 || b < 245 { nonWhite += 1 }
        }
        XCTAssertGreaterThan(colours.count, 200, "a blank or flat screenshot: \(colours.count) colours")
        XCTAssertGreaterThan(Double(nonWhite) / Double(image.width * image.height), 0.2, "mostly white")
        for hex in [0x1d3557, 0x457b9d, 0xf4a261] as [UInt32] {
            let found = colours.contains { c in Self.near(c, hex) }
            XCTAssertTrue(found, "no #\(String(hex, radix: 16)) pixels: the header or a bar series is missing")
        }
    }

    /// Whether two 0xRRGGBB colours differ by at most 3 in every channel.
    private static func near(_ a: UInt32, _ b: UInt32) -> Bool {
        for shift: UInt32 in [0, 8, 16] {
            let x = Int((a >> shift) & 255), y = Int((b >> shift) & 255)
            if abs(x - y) > 3 { return false }
        }
        return true
    }

    func testHostileNamesAreEscaped() throws {
        XCTAssertEqual(NoiseHTML.escape("<script>alert('x')</script> & \"q\""),
                       "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; &quot;q&quot;")
        let html = NoiseHTML.render(try report())
        XCTAssertTrue(html.contains("chain &lt;10&gt;"))
        XCTAssertFalse(html.contains("chain <10>"))
    }
}
