// The per-photo work of indexing that runs off the model's thread: read the file, hash it,
// read the EXIF capture date, decode it reduced (JPEG scaled IDCT, HEIF thumbnail) to just
// what the model, the text reader and the thumbnail need, make the thumbnail and the model's
// input tensor, and read the photo's text (the reader's models run here, on the worker thread).
// A photo that cannot be read becomes an error text, never a thrown error.

import EFCore
import EFExecutable
import EFMedia
import EFVision
import Foundation

/// A photo read and prepared, waiting for the model.
struct PreparedPhoto: @unchecked Sendable {
    var result: IndexedPhoto
    /// The visual input, when the photo needs an embedding and could be read.
    var tensor: Tensor?
    /// The file was gone when it was to be read (not an error of the photo's).
    var vanished = false
}

struct PhotoPreparation: Sendable {
    /// Longest side of a thumbnail.
    var thumbnailSide = 256
    var maxPixels = DecodeOptions.defaultMaxPixels
    /// The model that will embed, if any.
    var model: CLIPModel?
    /// The text reader, if any.
    var reader: TextReader?

    func prepare(_ photo: PendingPhoto) -> PreparedPhoto {
        var result = IndexedPhoto(id: photo.id, contentHash: "")
        let bytes: [UInt8]
        guard FileManager.default.fileExists(atPath: photo.path) else {
            return PreparedPhoto(result: result, tensor: nil, vanished: true)
        }
        do {
            bytes = try readFile(photo.path)
        } catch {
            result.error = Self.describe(error)
            return PreparedPhoto(result: result, tensor: nil)
        }
        result.contentHash = Self.contentHash(bytes)
        do {
            let reading = photo.needsText ? reader : nil
            let needed = max(model?.folder.imageSize ?? 0, thumbnailSide, reading?.maxResolution ?? 0)
            let options = DecodeOptions(maxPixels: maxPixels, minimumWidth: needed, minimumHeight: needed)
            let decoded = try ImageDecoder.decode(bytes: bytes, options: options)
            result.format = decoded.format.rawValue
            result.width = decoded.displayedWidth
            result.height = decoded.displayedHeight
            result.takenAt = PhotoMetadata.captureDate(in: bytes)
            if photo.needsMetadata { result.thumbnail = try thumbnail(decoded.image) }
            let tensor = try photo.needsEmbedding ? model?.imageTensor(decoded.image) : nil
            result.text = try reading?.read(decoded.image).map(\.text)
            return PreparedPhoto(result: result, tensor: tensor)
        } catch {
            result.error = Self.describe(error)
            return PreparedPhoto(result: result, tensor: nil)
        }
    }

    /// The file's bytes (its size checked first), refusing files larger than any photo within
    /// the pixel limit.
    private func readFile(_ path: String) throws -> [UInt8] {
        let limit = ImageDecoder.maxFileBytes(DecodeOptions(maxPixels: maxPixels))
        let size = (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? nil
        guard let size else { throw EdgeflowError(.io, "cannot read \(path)") }
        guard size <= limit else {
            throw EdgeflowError(.invalidInput, "\(path) is \(MemoryBudget.format(size)), more than any photo "
                                    + "within the pixel limit (\(MemoryBudget.format(limit)))")
        }
        guard size > 0 else { throw EdgeflowError(.invalidInput, "\(path) is empty") }
        guard let handle = FileHandle(forReadingAtPath: path) else { throw EdgeflowError(.io, "cannot open \(path)") }
        defer { try? handle.close() }
        // At most the size seen (the file may grow meanwhile); a shorter read is the decoder's to judge.
        let data = try handle.read(upToCount: size) ?? Data()
        return [UInt8](data)
    }

    /// A JPEG of at most `thumbnailSide` on the longest side (never enlarged).
    private func thumbnail(_ image: PixelImage) throws -> (jpeg: [UInt8], width: Int, height: Int) {
        let scale = min(1, Double(thumbnailSide) / Double(max(image.width, image.height)))
        let w = max(1, Int((Double(image.width) * scale).rounded()))
        let h = max(1, Int((Double(image.height) * scale).rounded()))
        let small = try Resampler.resize(image, width: w, height: h, filter: .bilinear)
        return (try JPEGEncoder.encode(small, quality: 80), w, h)
    }

    /// One line saying why a photo could not be read.
    static func describe(_ error: Error) -> String {
        (error as? EdgeflowError)?.message ?? "\(error)"
    }

    /// XXH64 of the file's bytes as 16 hex digits.
    static func contentHash(_ bytes: [UInt8]) -> String {
        let hash = XXH64.hash(bytes)
        let hex = String(hash, radix: 16)
        return String(repeating: "0", count: 16 - hex.count) + hex
    }
}
