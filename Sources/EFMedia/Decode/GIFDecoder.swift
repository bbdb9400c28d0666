// GIF, first frame only, through giflib's low-level reader (not DGifSlurp, which would
// decode and allocate every frame). Matches Pillow's first-frame rules: the canvas is the
// logical screen (enlarged to hold the frame), pre-filled with the frame's transparent index
// (else index 0), indices mapped through the local colour map, else the global one (else
// gray = index); indices past the end of the map are black. Transparency is not composited.

import CGif
import EFCore

enum GIFDecoder {
    /// The bytes giflib reads through its input callback.
    private final class Source {
        let bytes: [UInt8]
        var offset = 0
        init(_ bytes: [UInt8]) { self.bytes = bytes }
    }

    static func decode(_ bytes: [UInt8], options: DecodeOptions) throws -> DecodedImage {
        let source = Source(bytes)
        var status: Int32 = 0
        let read: InputFunc = { gif, buffer, length in
            guard let gif, let buffer, let user = gif.pointee.UserData, length > 0 else { return 0 }
            let source = Unmanaged<Source>.fromOpaque(user).takeUnretainedValue()
            let n = min(Int(length), source.bytes.count - source.offset)
            for i in 0..<n { buffer[i] = source.bytes[source.offset + i] }
            source.offset += n
            return Int32(n)
        }
        let opened = withExtendedLifetime(source) { DGifOpen(Unmanaged.passUnretained(source).toOpaque(), read, &status) }
        guard let gif = opened else { throw damaged("header", code: status) }
        defer { DGifCloseFile(gif, &status) }
        return try withExtendedLifetime(source) { try firstFrame(gif, options: options) }
    }

    private static func firstFrame(_ gif: UnsafeMutablePointer<GifFileType>, options: DecodeOptions) throws -> DecodedImage {
        let screenW = Int(gif.pointee.SWidth), screenH = Int(gif.pointee.SHeight)
        if screenW > 0 && screenH > 0 { try options.checkPixelLimit(width: screenW, height: screenH, format: "GIF") }
        var transparent: Int?
        while true {
            var record = UNDEFINED_RECORD_TYPE
            guard DGifGetRecordType(gif, &record) == GIF_OK else { throw damaged("data", code: gif.pointee.Error) }
            switch record {
            case IMAGE_DESC_RECORD_TYPE:
                guard DGifGetImageDesc(gif) == GIF_OK else { throw damaged("frame header", code: gif.pointee.Error) }
                return try readFrame(gif, screen: (screenW, screenH), transparent: transparent, options: options)
            case EXTENSION_RECORD_TYPE:
                var code: Int32 = 0
                var block: UnsafeMutablePointer<GifByteType>?
                guard DGifGetExtension(gif, &code, &block) == GIF_OK else { throw damaged("extension", code: gif.pointee.Error) }
                if code == 0xF9, let block, block[0] >= 4, block[1] & 1 == 1 { transparent = Int(block[4]) }
                while block != nil {
                    guard DGifGetExtensionNext(gif, &block) == GIF_OK else { throw damaged("extension", code: gif.pointee.Error) }
                }
            case TERMINATE_RECORD_TYPE:
                throw EdgeflowError(.invalidInput, "GIF file contains no image")
            default:
                throw damaged("record", code: gif.pointee.Error)
            }
        }
    }

    private static func readFrame(_ gif: UnsafeMutablePointer<GifFileType>, screen: (Int, Int), transparent: Int?,
                                  options: DecodeOptions) throws -> DecodedImage {
        let desc = gif.pointee.Image
        let left = Int(desc.Left), top = Int(desc.Top), fw = Int(desc.Width), fh = Int(desc.Height)
        try options.checkPixelLimit(width: fw, height: fh, format: "GIF frame")
        let w = max(screen.0, left + fw), h = max(screen.1, top + fh)
        try options.checkPixelLimit(width: w, height: h, format: "GIF")
        try options.checkMemory(format: "GIF", width: w, height: h, decoderBytes: w * h * 4 + fw)  // indices + RGB
        var indices = [UInt8](repeating: UInt8(transparent ?? 0), count: w * h)
        var line = [GifPixelType](repeating: 0, count: fw)
        for row in interlacedRows(height: fh, interlaced: desc.Interlace) {
            guard DGifGetLine(gif, &line, Int32(fw)) == GIF_OK else {
                throw damaged("image data (truncated or corrupt)", code: gif.pointee.Error)
            }
            let base = (top + row) * w + left
            for x in 0..<fw { indices[base + x] = line[x] }
        }
        let map = desc.ColorMap ?? gif.pointee.SColorMap
        var rgb = [UInt8](repeating: 0, count: w * h * 3)
        let count = map.map { Int($0.pointee.ColorCount) } ?? 0
        for p in 0..<(w * h) {
            let index = Int(indices[p])
            if let colors = map?.pointee.Colors {
                guard index < count else { continue }
                rgb[3 * p] = colors[index].Red
                rgb[3 * p + 1] = colors[index].Green
                rgb[3 * p + 2] = colors[index].Blue
            } else {
                (rgb[3 * p], rgb[3 * p + 1], rgb[3 * p + 2]) = (UInt8(index), UInt8(index), UInt8(index))
            }
        }
        let image = try PixelImage(width: w, height: h, channels: 3, pixels: rgb)
        return DecodedImage(image: image, format: .gif, storedWidth: w, storedHeight: h, orientation: 1, reduction: "full")
    }

    /// Frame rows in the order they are stored: sequential, or the four GIF interlace passes.
    static func interlacedRows(height: Int, interlaced: Bool) -> [Int] {
        guard interlaced else { return Array(0..<height) }
        return [(0, 8), (4, 8), (2, 4), (1, 2)].flatMap { start, step in Array(stride(from: start, to: height, by: step)) }
    }

    private static func damaged(_ part: String, code: Int32) -> EdgeflowError {
        let reason = GifErrorString(code).map { String(cString: $0) } ?? "error \(code)"
        return EdgeflowError(.invalidInput, "damaged GIF \(part) (giflib: \(reason))",
                             hint: "the file is truncated or corrupt; re-export or re-download it")
    }
}
