// The full-size view of a library photo: a JPEG file is sent as it is (the browser applies its
// EXIF orientation); any other format is decoded by EFMedia within its pixel and memory limits,
// scaled down to `ServerLimits.maxImageSide` and encoded as JPEG.

import EFCore
import EFMedia
import EFSearch
import Foundation

enum FullImage {
    /// The bytes to send for `photo` and their content type.
    /// - Throws: `APIError` 404 when the file is gone or is no longer a regular file (never follows
    ///   a symbolic link put in its place); EFMedia's errors for a photo that cannot be decoded.
    static func jpeg(of photo: PhotoRecord) throws -> [UInt8] {
        let url = URL(fileURLWithPath: photo.path)
        let attributes = try? FileManager.default.attributesOfItem(atPath: photo.path)  // lstat: links not followed
        guard attributes?[.type] as? FileAttributeType == .typeRegular else {
            throw APIError(.notFound, "photo \(photo.id) is no longer at its path")
        }
        let options = DecodeOptions(minimumWidth: ServerLimits.maxImageSide, minimumHeight: ServerLimits.maxImageSide)
        let bytes = try BoundedRead.contents(of: url, limit: ImageDecoder.maxFileBytes(options), what: "photo",
                                             howToChange: "the server reads photos within the decoder's limits")
        if ImageDecoder.format(of: bytes) == .jpeg { return bytes }
        let decoded = try ImageDecoder.decode(bytes: bytes, options: options).image
        let side = max(decoded.width, decoded.height)
        guard side > ServerLimits.maxImageSide else { return try JPEGEncoder.encode(decoded, quality: 88) }
        let scale = Double(ServerLimits.maxImageSide) / Double(side)
        let width = max(1, Int((Double(decoded.width) * scale).rounded()))
        let height = max(1, Int((Double(decoded.height) * scale).rounded()))
        let small = try Resampler.resize(decoded, width: width, height: height, filter: .bilinear)
        return try JPEGEncoder.encode(small, quality: 88)
    }
}
