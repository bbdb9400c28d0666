// Damaged and hostile input for ImageDecoder: empty and non-image files, truncation, flipped
// header bytes, headers declaring huge images (refused before decoding), the pixel limit.
// Every case must end in a clear EdgeflowError, never a crash or a garbage image.

import EFCore
import EFMedia
import EFTestSupport
import Foundation
import XCTest

final class DecodeBadInputTests: XCTestCase {
    static let folder = TestData.goldens.appendingPathComponent("media-decode")
    static let smallFixtures = ["jpeg_420.jpg", "jpeg_progressive.jpg", "jpeg_cmyk.jpg", "jpeg_cmyk_420.jpg",
                                "png_rgb8.png", "png_rgb16.png",
                                "png_palette_trns.png", "webp_lossy.webp", "webp_lossless_alpha.webp", "gif.gif",
                                "tiff_rgb.tif", "tiff_lzw.tif", "heic.heic"]

    static func fixture(_ name: String) throws -> [UInt8] {
        [UInt8](try Data(contentsOf: folder.appendingPathComponent(name)))
    }

    /// Asserts that decoding throws an invalidInput EdgeflowError and returns its text.
    @discardableResult
    static func assertRefused(_ bytes: [UInt8], options: DecodeOptions = .init(), _ what: String,
                       file: StaticString = #filePath, line: UInt = #line) -> String {
        do {
            let decoded = try ImageDecoder.decode(bytes: bytes, options: options)
            XCTFail("\(what): decoded a \(decoded.image.width)×\(decoded.image.height) image instead of refusing",
                    file: file, line: line)
        } catch let error as EdgeflowError {
            XCTAssertEqual(error.kind, .invalidInput, "\(what): \(error)", file: file, line: line)
            return error.description
        } catch {
            XCTFail("\(what): not an EdgeflowError: \(error)", file: file, line: line)
        }
        return ""
    }

    func testEmptyTextAndMissingFiles() throws {
        let dir = try TestData.temporaryDirectory("decode-bad")
        defer { try? FileManager.default.removeItem(at: dir) }
        let empty = dir.appendingPathComponent("empty.png"), text = dir.appendingPathComponent("photo.jpg")
        try Data().write(to: empty)
        try Data("hello world, this is not a photo\n".utf8).write(to: text)
        for (url, expected) in [(empty, "empty.png: empty file (0 bytes)"),
                                (text, "photo.jpg: not an image (starts with 'hello wo…')")] {
            XCTAssertThrowsError(try ImageDecoder.decode(contentsOf: url)) { error in
                let e = error as? EdgeflowError
                XCTAssertEqual(e?.kind, .invalidInput)
                XCTAssertTrue(e?.message.hasPrefix(expected) ?? false, "\(error)")
            }
        }
        XCTAssertTrue(Self.assertRefused([0x00, 0x01, 0x02, 0xFF], "binary junk").contains("bytes 00 01 02 FF"))
        XCTAssertThrowsError(try ImageDecoder.decode(contentsOf: dir.appendingPathComponent("missing.jpg"))) { error in
            XCTAssertEqual((error as? EdgeflowError)?.kind, .io)
            XCTAssertTrue("\(error)".contains("missing.jpg"))
        }
        XCTAssertNil(ImageDecoder.format(of: Array("GIF8".utf8)))
        XCTAssertEqual(ImageDecoder.format(of: try Self.fixture("heic.heic")), .heif)
    }

    func testTruncatedFilesOfEveryFormatAreRefused() throws {
        for name in Self.smallFixtures {
            let bytes = try Self.fixture(name)
            for cut in [4, 12, 30, bytes.count / 4, bytes.count / 2, bytes.count * 3 / 4] {
                Self.assertRefused(Array(bytes.prefix(cut)), "\(name) cut to \(cut) of \(bytes.count) bytes")
            }
        }
        let jpeg = try Self.fixture("jpeg_420.jpg")
        let message = Self.assertRefused(Array(jpeg.prefix(jpeg.count / 2)), "JPEG cut in its scan")
        XCTAssertTrue(message.contains("truncated JPEG data (Premature end of JPEG file)"), message)
    }

    func testCorruptHeadersAreRefused() throws {
        var jpeg = try Self.fixture("jpeg_444.jpg")
        let sof = try XCTUnwrap(Self.marker(0xC0, in: jpeg))
        jpeg[sof + 4] = 7  // sample precision 7: libjpeg refuses it
        XCTAssertTrue(Self.assertRefused(jpeg, "JPEG with precision 7").contains("damaged JPEG"))

        var png = try Self.fixture("png_rgb8.png")
        png[20] ^= 0x40  // a bit of IHDR's width: the chunk CRC no longer matches
        Self.assertRefused(png, "PNG with a flipped IHDR bit")
        var pngData = try Self.fixture("png_rgb8.png")
        let idat = try XCTUnwrap(Self.find(Array("IDAT".utf8), in: pngData))
        pngData[idat + 40] ^= 0xFF  // compressed image data: CRC (and zlib) fail
        Self.assertRefused(pngData, "PNG with a flipped IDAT byte")

        var webp = try Self.fixture("webp_lossy.webp")
        webp[12] = UInt8(ascii: "X")  // "VP8 " → "XP8 "
        Self.assertRefused(webp, "WebP with a damaged chunk name")

        var tiff = try Self.fixture("tiff_rgb.tif")
        tiff[4...7] = [0xF0, 0xFF, 0xFF, 0x00]  // IFD offset far past the end
        Self.assertRefused(tiff, "TIFF whose IFD offset points past the end")

        var heic = try Self.fixture("heic.heic")
        let meta = try XCTUnwrap(Self.find(Array("meta".utf8), in: heic))
        heic[meta - 2] = 0xFF  // the meta box claims to be far larger than the file
        Self.assertRefused(heic, "HEIC with an oversized meta box")

        var gif = try Self.fixture("gif.gif")
        gif[gif.count / 2 ... gif.count / 2 + 40] = ArraySlice(repeating: 0xFF, count: 41)
        Self.assertRefused(Array(gif.prefix(gif.count * 2 / 3)), "GIF with wiped and truncated LZW data")
    }

    /// Flipped bytes in entropy-coded data may decode to a wrong picture (the formats carry no
    /// checksum) or be refused; either way no crash and a well-formed result.
    func testFlippedEntropyBytesNeverCrash() throws {
        for name in ["jpeg_420.jpg", "jpeg_progressive.jpg", "jpeg_cmyk_422.jpg", "webp_lossy.webp", "heic.heic",
                     "gif.gif"] {
            let bytes = try Self.fixture(name)
            for position in stride(from: bytes.count / 2, to: bytes.count - 4, by: max(1, bytes.count / 10)) {
                var damaged = bytes
                damaged[position] ^= 0x5A
                do {
                    let decoded = try ImageDecoder.decode(bytes: damaged)
                    XCTAssertEqual(decoded.image.pixels.count, decoded.image.width * decoded.image.height * 3)
                } catch let error as EdgeflowError {
                    XCTAssertEqual(error.kind, .invalidInput, "\(name)@\(position): \(error)")
                }
            }
        }
    }

    func testHeadersDeclaringHugeImagesAreRefusedBeforeDecoding() throws {
        // PNG: a valid IHDR claiming 60000×60000 (3.6 gigapixels) and no data at all.
        var ihdr = Array("IHDR".utf8) + Self.bigEndian(60000) + Self.bigEndian(60000) + [8, 2, 0, 0, 0]
        ihdr = Self.bigEndian(13) + ihdr + Self.bigEndian(Int(CRC32.checksum(Array(ihdr))))
        let png = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A] + ihdr
            + Self.bigEndian(0) + Array("IEND".utf8) + Self.bigEndian(Int(CRC32.checksum(Array("IEND".utf8))))
        XCTAssertTrue(Self.assertRefused(png, "PNG bomb")
                        .contains("60000×60000 = 3600 MP exceeds the limit of 179 MP"))

        var jpeg = try Self.fixture("jpeg_420.jpg")
        let sof = try XCTUnwrap(Self.marker(0xC0, in: jpeg))
        jpeg[sof + 5...sof + 8] = [0xEA, 0x60, 0xEA, 0x60]  // height, width = 60000
        XCTAssertTrue(Self.assertRefused(jpeg, "JPEG bomb").contains("exceeds the limit"))

        var webp = try Self.fixture("webp_lossy.webp")
        webp[26...29] = [0xFF, 0x3F, 0xFF, 0x3F]  // VP8 frame header: 16383×16383
        XCTAssertTrue(Self.assertRefused(webp, "WebP bomb").contains("16383×16383"))

        var gif = try Self.fixture("gif.gif")
        gif[6...9] = [0xFF, 0xFF, 0xFF, 0xFF]  // logical screen 65535×65535
        XCTAssertTrue(Self.assertRefused(gif, "GIF bomb").contains("exceeds the limit"))

        let tiff = try Self.tiff(try Self.fixture("tiff_rgb.tif"), claimingWidth: 60000, height: 60000)
        XCTAssertTrue(Self.assertRefused(tiff, "TIFF bomb").contains("exceeds the limit"))
    }

    /// A little-endian TIFF whose first IFD's ImageWidth and ImageLength say `width × height`.
    static func tiff(_ bytes: [UInt8], claimingWidth width: Int, height: Int) throws -> [UInt8] {
        func u16(_ at: Int) -> Int { Int(bytes[at]) | Int(bytes[at + 1]) << 8 }
        func u32(_ at: Int) -> Int { u16(at) | u16(at + 2) << 16 }
        XCTAssertEqual(Array(bytes.prefix(4)), [0x49, 0x49, 0x2A, 0x00], "the fixture is a little-endian TIFF")
        var out = bytes
        let ifd = u32(4)
        var patched = 0
        for entry in 0..<u16(ifd) {
            let at = ifd + 2 + 12 * entry
            guard [256, 257].contains(u16(at)) else { continue }
            let value = u16(at) == 256 ? width : height
            out[at + 2 ... at + 7] = [4, 0, 1, 0, 0, 0]  // type LONG, count 1
            out[at + 8 ... at + 11] = ArraySlice((0..<4).map { UInt8(truncatingIfNeeded: value >> (8 * $0)) })
            patched += 1
        }
        XCTAssertEqual(patched, 2, "ImageWidth and ImageLength found")
        return out
    }

    func testLoweredPixelLimit() throws {
        for name in Self.smallFixtures {
            let bytes = try Self.fixture(name)
            let message = Self.assertRefused(bytes, options: DecodeOptions(maxPixels: 61 * 47 - 1),
                                             "\(name) over a lowered limit")
            XCTAssertTrue(message.contains("61×47") && message.contains("--max-pixels"), message)
            XCTAssertNoThrow(try ImageDecoder.decode(bytes: bytes, options: DecodeOptions(maxPixels: 61 * 47)), name)
        }
    }

    // MARK: helpers

    static func marker(_ code: UInt8, in jpeg: [UInt8]) -> Int? {
        (2..<jpeg.count - 1).first { jpeg[$0] == 0xFF && jpeg[$0 + 1] == code }
    }

    static func find(_ needle: [UInt8], in bytes: [UInt8]) -> Int? {
        (0...(bytes.count - needle.count)).first { Array(bytes[$0..<$0 + needle.count]) == needle }
    }

    static func bigEndian(_ value: Int) -> [UInt8] {
        (0..<4).map { UInt8(truncatingIfNeeded: value >> (24 - 8 * $0)) }
    }
}
