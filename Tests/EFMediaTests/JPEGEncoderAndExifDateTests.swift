// JPEGEncoder: RGB and gray images survive an encode → decode round trip within JPEG's error;
// PhotoMetadata.captureDate reads DateTimeOriginal (Exif IFD) before DateTime (IFD0) in both
// byte orders, and ignores malformed dates. The EXIF blocks are built by hand here.

import EFCore
import EFMedia
import EFTestSupport
import Foundation
import XCTest

final class JPEGEncoderAndExifDateTests: XCTestCase {
    func testSmoothImagesRoundTripWithinJPEGError() throws {
        let w = 64, h = 48
        for channels in [1, 3] {
            var pixels = [UInt8](repeating: 0, count: w * h * channels)
            for y in 0..<h { for x in 0..<w { for c in 0..<channels {
                pixels[(y * w + x) * channels + c] = UInt8(x + 2 * y + 40 * c)
            } } }
            let jpeg = try JPEGEncoder.encode(try PixelImage(width: w, height: h, channels: channels, pixels: pixels),
                                              quality: 95)
            XCTAssertEqual(ImageDecoder.format(of: jpeg), .jpeg)
            let decoded = try ImageDecoder.decode(bytes: jpeg).image
            XCTAssertEqual([decoded.width, decoded.height], [w, h])
            var worst = 0
            for p in 0..<(w * h) { for c in 0..<3 {
                let expected = Int(pixels[p * channels + (channels == 1 ? 0 : c)])
                worst = max(worst, abs(Int(decoded.pixels[p * 3 + c]) - expected))
            } }
            XCTAssertLessThanOrEqual(worst, 12, "channels \(channels)")
        }
    }

    func testBadChannelCountAndQualityAreRefused() throws {
        let rgba = try PixelImage(width: 2, height: 2, channels: 4, pixels: [UInt8](repeating: 9, count: 16))
        XCTAssertThrowsError(try JPEGEncoder.encode(rgba))
        let rgb = try PixelImage(width: 2, height: 2, channels: 3, pixels: [UInt8](repeating: 9, count: 12))
        XCTAssertThrowsError(try JPEGEncoder.encode(rgb, quality: 0))
    }

    func testCaptureDatePrefersDateTimeOriginalInBothByteOrders() throws {
        for bigEndian in [true, false] {
            let tiff = Self.tiff(bigEndian: bigEndian, dateTime: "2001:02:03 04:05:06", original: "2019:07:04 10:30:00")
            XCTAssertEqual(PhotoMetadata.captureDate(in: Self.jpeg(exif: tiff)), "2019-07-04T10:30:00")
            let plain = Self.tiff(bigEndian: bigEndian, dateTime: "2001:02:03 04:05:06", original: nil)
            XCTAssertEqual(PhotoMetadata.captureDate(in: Self.jpeg(exif: plain)), "2001-02-03T04:05:06")
        }
    }

    /// Pillow (and pillow-heif) wrote these (Fuzz/seeds/photo-metadata, 16×16 with DateTime 2001
    /// and DateTimeOriginal 2019).
    func testDatesOfPillowWrittenPhotosInEveryFormat() throws {
        let folder = TestData.repoRoot.appendingPathComponent("Fuzz/seeds/photo-metadata")
        for name in ["exif-date.jpg", "exif-date.png", "exif-date.webp", "exif-date.tiff", "exif-date.heic"] {
            let bytes = [UInt8](try Data(contentsOf: folder.appendingPathComponent(name)))
            XCTAssertEqual(PhotoMetadata.captureDate(in: bytes), "2019-07-04T10:30:00", name)
        }
    }

    func testMalformedDatesAndMissingExifGiveNil() throws {
        for bad in ["0000:00:00 00:00:00", "2019-07-04 10:30:00", "2019:13:04 10:30:00", "    :  :     :  :  "] {
            let tiff = Self.tiff(bigEndian: false, dateTime: bad, original: nil)
            XCTAssertNil(PhotoMetadata.captureDate(in: Self.jpeg(exif: tiff)), bad)
        }
        let truncated = Array(Self.tiff(bigEndian: true, dateTime: "2001:02:03 04:05:06", original: nil).prefix(30))
        XCTAssertNil(PhotoMetadata.captureDate(in: Self.jpeg(exif: truncated)))
        let gray = try PixelImage(width: 8, height: 8, channels: 1, pixels: .init(repeating: 5, count: 64))
        let plain = try JPEGEncoder.encode(gray)
        XCTAssertNil(PhotoMetadata.captureDate(in: plain))
        XCTAssertNil(PhotoMetadata.captureDate(in: Array("not a photo".utf8)))
    }

    /// A TIFF structure: IFD0 with DateTime (and an Exif IFD pointer), the Exif IFD with
    /// DateTimeOriginal when given; strings after the IFDs.
    private static func tiff(bigEndian: Bool, dateTime: String, original: String?) -> [UInt8] {
        func u16(_ v: Int) -> [UInt8] { bigEndian ? [UInt8(v >> 8), UInt8(v & 255)] : [UInt8(v & 255), UInt8(v >> 8)] }
        func u32(_ v: Int) -> [UInt8] { bigEndian ? u16(v >> 16) + u16(v & 0xFFFF) : u16(v & 0xFFFF) + u16(v >> 16) }
        let ifd0Count = original == nil ? 1 : 2
        let ifd0Size = 2 + 12 * ifd0Count + 4
        let exifIFD = 8 + ifd0Size, exifSize = original == nil ? 0 : 2 + 12 + 4
        let dateAt = exifIFD + exifSize, originalAt = dateAt + 20
        var out: [UInt8] = (bigEndian ? [0x4D, 0x4D] : [0x49, 0x49]) + u16(42) + u32(8)
        out += u16(ifd0Count) + u16(0x0132) + u16(2) + u32(20) + u32(dateAt)
        if original != nil { out += u16(0x8769) + u16(4) + u32(1) + u32(exifIFD) }
        out += u32(0)
        if original != nil { out += u16(1) + u16(0x9003) + u16(2) + u32(20) + u32(originalAt) + u32(0) }
        out += Array(dateTime.utf8) + [0]
        if let original { out += Array(original.utf8) + [0] }
        return out
    }

    /// A minimal JPEG marker sequence: SOI, APP1 Exif, EOI (enough for the metadata reader).
    private static func jpeg(exif tiff: [UInt8]) -> [UInt8] {
        let payload = Array("Exif\0\0".utf8) + tiff
        let length = payload.count + 2
        return [0xFF, 0xD8, 0xFF, 0xE1, UInt8(length >> 8), UInt8(length & 255)] + payload + [0xFF, 0xD9]
    }
}
