// `photos serve`'s page in headless Chromium, driven over the DevTools protocol: type a query
// and press Enter, wait for the thumbnails, check the screenshot's pixels against the stored
// thumbnails, open a photo (its path shown as text, even one named like HTML), "more like this".
// Screenshots are kept in a temporary folder whose path is printed.

import EFMedia
import EFSearch
import EFTestSupport
import Foundation
import XCTest

final class PhotosServePageTests: XCTestCase {
    /// A rectangle of the page in CSS pixels (= screenshot pixels at scale 1).
    private struct Box {
        var x, y, width, height: Double
        init(_ value: Any?) throws {
            let box = try XCTUnwrap(value as? [String: Any], "no element box")
            x = box["x"] as? Double ?? 0
            y = box["y"] as? Double ?? 0
            width = box["width"] as? Double ?? 0
            height = box["height"] as? Double ?? 0
        }
        init(x: Double, y: Double, width: Double, height: Double) {
            (self.x, self.y, self.width, self.height) = (x, y, width, height)
        }
        var centre: (x: Double, y: Double) { (x + width / 2, y + height / 2) }
        /// The middle half (in each direction) of `box`.
        static func centreHalf(_ box: Box) -> Box {
            Box(x: box.x + box.width / 4, y: box.y + box.height / 4, width: box.width / 2, height: box.height / 2)
        }
        /// The part of `image` the middle half of a square tile shows (CSS object-fit: cover).
        static func coverCentreHalf(_ image: PixelImage) -> Box {
            let side = Double(min(image.width, image.height)) / 2
            return Box(x: (Double(image.width) - side) / 2, y: (Double(image.height) - side) / 2, width: side,
                       height: side)
        }
    }

    private static func box(_ selector: String) -> String {
        "(() => { const r = document.querySelector('\(selector)').getBoundingClientRect(); "
            + "return {x: r.x, y: r.y, width: r.width, height: r.height}; })()"
    }

    private static let thumbnailsLoaded = "(() => { const images = [...document.querySelectorAll('#grid img')]; "
        + "return images.some((i) => i.naturalWidth > 0) && images.every((i) => i.complete); })()"

    func testSearchOpenAPhotoAndMoreLikeThisInChromium() throws {
        guard let chromium = Chromium.executable() else {
            throw XCTSkip("chromium is not installed, so the page cannot be rendered: scripts/setup.sh installs the "
                            + "Debian package chromium")
        }
        let fixture = try ServeLibrary.shared()
        let server = try ServeProcess(["--library", fixture.library, "--model", fixture.model])
        defer { server.stop() }
        let library = try PhotoLibrary(path: fixture.library, create: false)
        let shots = try TestData.temporaryDirectory("photos-serve-page")
        let browser = try DevToolsPipe(chromium: chromium, profile: shots.appendingPathComponent("profile"))
        try browser.send("Page.navigate", ["url": server.url.absoluteString])
        try browser.wait(until: Self.thumbnailsLoaded)
        try browser.wait(until: "document.getElementById('status').textContent.includes('photos indexed')")

        try browser.evaluate("document.getElementById('q').focus()")
        try browser.type("a red car")
        try browser.wait(until: "document.querySelector('#grid .tile')?.title.includes('score') === true")
        try browser.wait(until: Self.thumbnailsLoaded)
        let gridShot = shots.appendingPathComponent("1-grid.png")
        let grid = try browser.screenshot(to: gridShot)
        let gridBox = try Box(browser.evaluate(Self.box("#grid")))
        XCTAssertGreaterThan(Self.spread(grid, gridBox), 10, "the grid is not blank")
        let first = try Box(browser.evaluate(Self.box("#grid .tile")))
        let firstID = try XCTUnwrap(Int64(try browser.evaluate("document.querySelector('#grid .tile').dataset.id")
                                            as? String ?? ""))
        let thumbnail = try ImageDecoder.decode(bytes: XCTUnwrap(library.thumbnail(id: firstID))).image
        let shown = Self.mean(grid, Box.centreHalf(first))
        let stored = Self.mean(thumbnail, Box.coverCentreHalf(thumbnail))
        for channel in 0..<3 {
            XCTAssertEqual(shown[channel], stored[channel], accuracy: 12,
                           "tile 1 shows photo \(firstID): screen \(shown) vs thumbnail \(stored) (\(gridShot.path))")
        }

        try browser.click(x: first.centre.x, y: first.centre.y)
        try browser.wait(until: "!document.getElementById('viewer').hidden && document.getElementById('full').complete "
                            + "&& document.getElementById('full').naturalWidth > 0")
        let path = try XCTUnwrap(library.photo(id: firstID)).path
        XCTAssertEqual(try browser.evaluate("document.getElementById('caption').textContent.split(' — ')[0]")
                        as? String, path)
        let viewShot = shots.appendingPathComponent("2-photo.png")
        let view = try browser.screenshot(to: viewShot)
        let photoBox = try Box(browser.evaluate(Self.box("#full")))
        XCTAssertGreaterThan(Self.spread(view, photoBox), 10, "the photo is shown (\(viewShot.path))")

        let more = try Box(browser.evaluate(Self.box("#more")))
        try browser.click(x: more.centre.x, y: more.centre.y)
        try browser.wait(until: "document.getElementById('viewer').hidden && "
                            + "document.querySelector('#grid .tile')?.dataset.id === '\(firstID)'")
        try browser.wait(until: Self.thumbnailsLoaded)
        let moreShot = shots.appendingPathComponent("3-more-like-this.png")
        XCTAssertGreaterThan(Self.spread(try browser.screenshot(to: moreShot), gridBox), 10)

        // Empty the grid first: "more like this" also listed the copy with the HTML-like name.
        try browser.evaluate("document.getElementById('grid').replaceChildren()")
        try browser.evaluate("document.getElementById('search').requestSubmit()")  // empty query: newest first
        try browser.wait(until: "[...document.querySelectorAll('#grid .tile')].some((t) => t.title.includes('<img'))")
        // Measure only once every thumbnail has loaded (tiles settle) and the tile is in view.
        try browser.wait(until: Self.thumbnailsLoaded)
        let hostile = try Box(browser.evaluate("(() => { const t = [...document.querySelectorAll('#grid .tile')]"
            + ".find((t) => t.title.includes('<img')); t.scrollIntoView({block: 'center', behavior: 'instant'}); "
            + "const r = t.getBoundingClientRect(); "
            + "return {x: r.x, y: r.y, width: r.width, height: r.height}; })()"))
        try browser.click(x: hostile.centre.x, y: hostile.centre.y)
        try browser.wait(until: "!document.getElementById('viewer').hidden")
        XCTAssertEqual(try browser.evaluate("document.querySelectorAll('#caption *, #grid img[src=\"x\"]').length")
                        as? Int, 0, "a path that looks like HTML stays text")
        let caption = try browser.evaluate("document.getElementById('caption').textContent") as? String ?? ""
        XCTAssertTrue(caption.contains(ServeLibrary.hostileName), caption)
        XCTAssertEqual(try browser.evaluate("window.pwned === undefined") as? Bool, true)
        print("photos serve screenshots: \(gridShot.path) \(viewShot.path) \(moreShot.path)")
    }

    /// Mean RGB over `box` of `image`.
    private static func mean(_ image: PixelImage, _ box: Box) -> [Double] {
        var sums = [0.0, 0.0, 0.0]
        var count = 0.0
        for y in Int(box.y)..<Int(box.y + box.height) where y >= 0 && y < image.height {
            for x in Int(box.x)..<Int(box.x + box.width) where x >= 0 && x < image.width {
                let at = (y * image.width + x) * image.channels
                for c in 0..<3 { sums[c] += Double(image.pixels[at + min(c, image.channels - 1)]) }
                count += 1
            }
        }
        return sums.map { $0 / max(count, 1) }
    }

    /// The largest per-channel standard deviation over `box`: 0 for a blank area.
    private static func spread(_ image: PixelImage, _ box: Box) -> Double {
        let average = mean(image, box)
        var squares = [0.0, 0.0, 0.0]
        var count = 0.0
        for y in stride(from: Int(box.y), to: Int(box.y + box.height), by: 2) where y >= 0 && y < image.height {
            for x in stride(from: Int(box.x), to: Int(box.x + box.width), by: 2) where x >= 0 && x < image.width {
                let at = (y * image.width + x) * image.channels
                for c in 0..<3 {
                    let d = Double(image.pixels[at + min(c, image.channels - 1)]) - average[c]
                    squares[c] += d * d
                }
                count += 1
            }
        }
        return squares.map { ($0 / max(count, 1)).squareRoot() }.max() ?? 0
    }
}
