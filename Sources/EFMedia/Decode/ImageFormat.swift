// The public vocabulary of image decoding: which formats exist, how they are recognised
// (magic bytes, never the file name), the options a caller gives and what a decode returns.

import EFCore

/// An image container format `ImageDecoder` reads.
public enum ImageFormat: String, Sendable, CaseIterable {
    case jpeg, png, webp, heif, gif, tiff
    /// A camera RAW file (`CameraRawSignature` says which are recognised).
    case raw

    /// The names listed in "not an image" errors.
    static let supportedList = "JPEG, PNG, WebP, HEIF/HEIC, GIF, TIFF, camera RAW (DNG, CR2, CR3, NEF, ARW, ORF, "
        + "RW2, RAF, PEF)"

    /// Recognises a format from the first bytes of a file; nil when none matches.
    static func sniff(_ bytes: [UInt8]) -> ImageFormat? {
        func starts(_ prefix: [UInt8], at offset: Int = 0) -> Bool {
            bytes.count >= offset + prefix.count && Array(bytes[offset..<offset + prefix.count]) == prefix
        }
        if starts([0xFF, 0xD8, 0xFF]) { return .jpeg }
        if starts([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]) { return .png }
        if starts(Array("RIFF".utf8)) && starts(Array("WEBP".utf8), at: 8) { return .webp }
        if starts(Array("GIF87a".utf8)) || starts(Array("GIF89a".utf8)) { return .gif }
        if CameraRawSignature.matches(bytes) { return .raw }
        if starts([0x49, 0x49, 0x2A, 0x00]) || starts([0x4D, 0x4D, 0x00, 0x2A]) { return .tiff }
        if starts(Array("ftyp".utf8), at: 4), bytes.count >= 12 {
            let brand = String(decoding: bytes[8..<12], as: UTF8.self)
            let heifBrands: Set<String> = ["heic", "heix", "heim", "heis", "hevc", "hevx", "mif1", "msf1", "heif"]
            if heifBrands.contains(brand) { return .heif }
        }
        return nil
    }
}

/// How `ImageDecoder` decodes.
public struct DecodeOptions: Sendable {
    /// Pillow's decompression-bomb *error* threshold (2 × 89_478_485 pixels): 178.9 megapixels.
    public static let defaultMaxPixels = 178_956_970

    /// Refuse images whose stored width × height exceeds this, read from the header before
    /// any pixel buffer is allocated (decompression bombs). Default `defaultMaxPixels`; values
    /// above `maxPixelsCeiling` act as the ceiling. Also sets the image memory budget
    /// (`memoryBudget`, 12 bytes per pixel).
    public var maxPixels: Int
    /// When set, the decoder may return a smaller image (JPEG scaled IDCT 1/2, 1/4, 1/8; the
    /// HEIF embedded thumbnail; any other image reduced after decoding by Pillow's `reduce()`
    /// 2, 4 or 8 times) that is, in displayed (oriented) coordinates, at least this wide and
    /// high. JPEG picks the scale exactly as Pillow's `Image.draft("RGB", (w, h))` does on the
    /// stored size (w and h swapped for orientations 5–8); the other formats pick their factor
    /// by the same rule on the decoded size. nil = full resolution.
    public var minimumWidth: Int?
    /// See `minimumWidth`.
    public var minimumHeight: Int?
    /// Apply the EXIF orientation (JPEG, PNG eXIf, WebP EXIF, TIFF tag). Default true.
    /// HEIF transforms (irot/imir) are always applied by libheif.
    public var applyOrientation: Bool
    /// What the caller will allocate next to the decoded image (a recipe, its tensor): counted
    /// with the decoded image against `memoryBudget` from the header, before decoding. nil = nothing.
    public var plannedUse: PlannedImageUse?

    public init(maxPixels: Int = DecodeOptions.defaultMaxPixels, minimumWidth: Int? = nil,
                minimumHeight: Int? = nil, applyOrientation: Bool = true, plannedUse: PlannedImageUse? = nil) {
        self.maxPixels = maxPixels
        self.minimumWidth = minimumWidth
        self.minimumHeight = minimumHeight
        self.applyOrientation = applyOrientation
        self.plannedUse = plannedUse
    }

    /// Throws when `width × height` exceeds `maxPixels` (or a dimension is not positive).
    func checkPixelLimit(width: Int, height: Int, format: String) throws {
        guard width >= 1, height >= 1 else {
            throw EdgeflowError(.invalidInput, "\(format) header declares an image of \(width)×\(height)")
        }
        let maxPixels = effectiveMaxPixels
        let (pixels, overflow) = width.multipliedReportingOverflow(by: height)
        guard !overflow, pixels <= maxPixels else {
            let mp = Double(width) * Double(height) / 1e6
            throw EdgeflowError(.invalidInput,
                                "\(width)×\(height) = \(Self.megapixels(mp)) MP exceeds the limit of "
                                    + "\(Self.megapixels(Double(maxPixels) / 1e6)) MP (\(maxPixels) pixels)",
                                hint: "raise it with --max-pixels (at most \(Self.maxPixelsCeiling)) if you trust "
                                    + "this file (a small file declaring a huge image is a decompression bomb)")
        }
    }

    private static func megapixels(_ value: Double) -> String {
        value >= 10 ? String(Int(value.rounded())) : String(Double(Int(value * 10)) / 10)
    }
}

/// What `ImageDecoder.decode` returns.
public struct DecodedImage: Sendable {
    /// RGB (3 channels), orientation applied.
    public var image: PixelImage
    public var format: ImageFormat
    /// Size as stored in the file, before orientation and reduction.
    public var storedWidth: Int
    public var storedHeight: Int
    /// EXIF orientation 1...8 (1 when absent or not applied); HEIF: always 1, because libheif
    /// applies irot/imir itself and 1.15 does not report which transform it applied.
    public var orientation: Int
    /// "full", "DCT 1/4", "thumbnail 320×240" or "box 1/2": how the image was reduced while
    /// decoding (box: Pillow's `reduce()` after decoding).
    public var reduction: String
    /// Size of the full-resolution image as displayed (orientation applied, no reduction):
    /// what `image` would measure with `reduction == "full"`.
    public var displayedWidth: Int
    public var displayedHeight: Int

    /// `displayedSize` defaults to the stored size, swapped for orientations 5–8.
    public init(image: PixelImage, format: ImageFormat, storedWidth: Int, storedHeight: Int,
                orientation: Int, reduction: String, displayedSize: (width: Int, height: Int)? = nil) {
        self.image = image
        self.format = format
        self.storedWidth = storedWidth
        self.storedHeight = storedHeight
        self.orientation = orientation
        self.reduction = reduction
        let swapped = Orientation.swapsAxes(orientation)
        let size = displayedSize ?? (swapped ? (storedHeight, storedWidth) : (storedWidth, storedHeight))
        displayedWidth = size.width
        displayedHeight = size.height
    }
}
