// Camera RAW files beyond the goldens: which path each request takes (the embedded preview, a
// half-size or full demosaic), the sizes reported, the RAW signatures told apart from TIFF
// photos, capture dates of the formats read without LibRaw (ORF, RW2, CR2, RAF's preview), and
// damaged or oversized RAW files refused. A DNG cut before its IFD0 is no longer
// recognisable as RAW and is refused by the TIFF decoder; LibRaw does not notice the last byte
// or so of uncompressed sensor data missing (it reads zeros), so no cut that short is tested.

import EFCore
import EFMedia
import EFTestSupport
import Foundation
import XCTest

final class RAWDecodeTests: XCTestCase {
    static func fixture(_ name: String) throws -> [UInt8] {
        try DecodeBadInputTests.fixture(name)
    }

    func testEachRequestTakesItsPath() throws {
        let withPreview = try Self.fixture("raw_dng_preview.dng"), sensorOnly = try Self.fixture("raw_dng.dng")
        func atLeast(_ width: Int, _ height: Int) -> DecodeOptions {
            DecodeOptions(minimumWidth: width, minimumHeight: height)
        }
        let preview = try ImageDecoder.decode(bytes: withPreview, options: atLeast(64, 48))
        XCTAssertEqual(preview.reduction, "preview 128×96, DCT 1/2")
        XCTAssertEqual([preview.image.width, preview.image.height], [64, 48])
        let full = try ImageDecoder.decode(bytes: withPreview)
        XCTAssertEqual(full.reduction, "full", "no minimum: the sensor data, not the preview")
        XCTAssertEqual([full.image.width, full.image.height], [128, 96])
        let half = try ImageDecoder.decode(bytes: sensorOnly, options: atLeast(40, 30))
        XCTAssertEqual(half.reduction, "half-size demosaic")
        XCTAssertEqual([half.image.width, half.image.height], [64, 48])
        let quarter = try ImageDecoder.decode(bytes: sensorOnly, options: atLeast(16, 12))
        XCTAssertEqual(quarter.reduction, "half-size demosaic, box 1/4")
        XCTAssertEqual([quarter.image.width, quarter.image.height], [16, 12])
        for decoded in [preview, full, half, quarter] {
            XCTAssertEqual(decoded.format, .raw)
            XCTAssertEqual([decoded.storedWidth, decoded.storedHeight, decoded.displayedWidth, decoded.displayedHeight],
                           [128, 96, 128, 96])
        }
        let turned = try ImageDecoder.decode(bytes: try Self.fixture("raw_dng_orientation_6.dng"),
                                             options: DecodeOptions(minimumWidth: 30, minimumHeight: 40))
        XCTAssertEqual(turned.orientation, 6)
        XCTAssertEqual([turned.displayedWidth, turned.displayedHeight, turned.image.width, turned.image.height],
                       [96, 128, 48, 64])
    }

    func testSignaturesAreToldApartFromTIFF() throws {
        XCTAssertEqual(ImageDecoder.format(of: try Self.fixture("raw_dng.dng")), .raw)
        XCTAssertEqual(ImageDecoder.format(of: try Self.fixture("raw_dng_preview.dng")), .raw)
        for tiff in ["tiff_rgb.tif", "tiff_lzw.tif", "tiff_orientation_6.tif"] {
            XCTAssertEqual(ImageDecoder.format(of: try Self.fixture(tiff)), .tiff, tiff)
        }
        let padding = [UInt8](repeating: 0, count: 16)
        let signatures: [String: [UInt8]] = [
            "RAF": Array("FUJIFILMCCD-RAW 0201".utf8), "ORF": Array("IIRO".utf8) + [8, 0, 0, 0],
            "RW2": Array("IIU\0".utf8) + [8, 0, 0, 0], "CR2": [0x49, 0x49, 0x2A, 0, 16, 0, 0, 0] + Array("CR".utf8),
            "CR3": [0, 0, 0, 24] + Array("ftypcrx ".utf8),
        ]
        for (name, head) in signatures { XCTAssertEqual(ImageDecoder.format(of: head + padding), .raw, name) }
    }

    func testDamagedAndOversizedRAWAreRefused() throws {
        let bytes = try Self.fixture("raw_dng_preview.dng")
        for cut in [12, 30, 200, 1000, bytes.count / 2, bytes.count * 3 / 4] {
            let head = Array(bytes.prefix(cut))
            let message = DecodeBadInputTests.assertRefused(head, "DNG cut to \(cut) bytes")
            let format = ImageDecoder.format(of: head).map(\.rawValue) ?? "?"
            print("DNG cut to \(cut) of \(bytes.count) bytes (read as \(format)): \(message)")
        }
        let fake = Array("FUJIFILMCCD-RAW 0201".utf8) + [UInt8](repeating: 0x41, count: 500)
        let message = DecodeBadInputTests.assertRefused(fake, "a RAF signature on junk")
        XCTAssertTrue(message.contains("not a RAW file LibRaw reads"), message)
        let limited = DecodeBadInputTests.assertRefused(bytes, options: DecodeOptions(maxPixels: 128 * 96 - 1),
                                                        "over a lowered limit")
        XCTAssertTrue(limited.contains("128×96") && limited.contains("--max-pixels"), limited)
        XCTAssertNoThrow(try ImageDecoder.decode(bytes: bytes, options: DecodeOptions(maxPixels: 128 * 96)))
    }

    /// A little-endian TIFF structure with magic `magic` whose IFD0 holds DateTime.
    static func tiff(magic: [UInt8], date: String) -> [UInt8] {
        let text = Array(date.utf8) + [0]
        var bytes: [UInt8] = [0x49, 0x49] + magic + [8, 0, 0, 0]  // IFD0 at 8
        bytes += [1, 0]  // one entry: DateTime, ASCII, the text after the IFD
        bytes += [0x32, 0x01, 2, 0] + le32(text.count) + le32(8 + 2 + 12 + 4)
        bytes += [0, 0, 0, 0] + text  // no next IFD
        return bytes
    }

    static func le32(_ value: Int) -> [UInt8] { (0..<4).map { UInt8(truncatingIfNeeded: value >> (8 * $0)) } }

    func testCaptureDatesOfTIFFStructuredAndRAFFiles() throws {
        let date = "2024:05:06 07:08:09", expected = "2024-05-06T07:08:09"
        // ORF and RW2 are TIFF structures with their own magic numbers.
        for (name, magic) in [("ORF", Array("RO".utf8)), ("RW2", [0x55, 0])] {
            let file = Self.tiff(magic: magic, date: date)
            XCTAssertEqual(ImageDecoder.format(of: file), .raw, name)
            XCTAssertEqual(PhotoMetadata.captureDate(in: file), expected, name)
        }
        // A CR2 (TIFF magic, "CR" after the header) is read like a TIFF; a plain TIFF still is.
        var cr2 = Self.tiff(magic: [42, 0], date: date)
        cr2.insert(contentsOf: Array("CR".utf8) + [2, 0], at: 8)
        cr2.replaceSubrange(4..<8, with: Self.le32(12))
        cr2.replaceSubrange(12 + 2 + 8..<12 + 2 + 12, with: Self.le32(12 + 2 + 12 + 4))
        XCTAssertEqual(ImageDecoder.format(of: cr2), .raw)
        XCTAssertEqual(PhotoMetadata.captureDate(in: cr2), expected)
        XCTAssertEqual(PhotoMetadata.captureDate(in: Self.tiff(magic: [42, 0], date: date)), expected)
        let cut = Array(Self.tiff(magic: [0x55, 0], date: date).dropLast(25))
        XCTAssertNil(PhotoMetadata.captureDate(in: cut), "a cut structure has no date")
        // RAF: the EXIF of the JPEG preview whose offset and length the header gives at 84 and 88.
        let exif = Array("Exif\0\0".utf8) + Self.tiff(magic: [42, 0], date: date)
        let jpeg: [UInt8] = [0xFF, 0xD8, 0xFF, 0xE1] + [UInt8((exif.count + 2) >> 8), UInt8((exif.count + 2) & 0xFF)]
            + exif + [0xFF, 0xD9]
        var raf = Array("FUJIFILMCCD-RAW 0201FF383501".utf8)
        raf += [UInt8](repeating: 0, count: 100 - raf.count)
        raf.replaceSubrange(84..<92, with: [0, 0, 0, 100] + [0, 0, UInt8(jpeg.count >> 8), UInt8(jpeg.count & 0xFF)])
        raf += jpeg
        XCTAssertEqual(ImageDecoder.format(of: raf), .raw)
        XCTAssertEqual(PhotoMetadata.captureDate(in: raf), expected)
        raf.replaceSubrange(88..<92, with: [0, 1, 0, 0])  // a length past the end
        XCTAssertNil(PhotoMetadata.captureDate(in: raf))
    }
}

