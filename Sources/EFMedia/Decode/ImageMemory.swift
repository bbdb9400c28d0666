// The image memory budget: how many bytes decoding one image and preparing it for a model may
// hold at once. It is derived from the pixel limit: 12 bytes per allowed pixel (an RGB8 image
// of `maxPixels` four times over) plus 64 MiB for codec tables, headers and file copies, i.e.
// 2.06 GiB at the default limit. Every decoder and recipe computes its buffers from the header
// or the geometry and checks them here before allocating, so a small file can never make
// Edgeflow allocate gigabytes.

import EFCore

extension DecodeOptions {
    /// The largest `maxPixels` accepted (2^30 pixels, a 32768 × 32768 image): keeps the image
    /// budget (12 GiB at this ceiling) within a 24 GiB machine. Larger values act as this one.
    public static let maxPixelsCeiling = 1 << 30

    /// Bytes of image memory allowed per pixel of `maxPixels`: 4 × 3 bytes of RGB8.
    public static let budgetBytesPerPixel = 12
    /// Bytes of image memory allowed on top of the per-pixel part (codec tables, headers, the
    /// file's bytes copied by a decoder): 64 MiB, so tiny limits still decode tiny images.
    public static let budgetBaseBytes = 64 << 20

    /// `maxPixels` clamped to `1...maxPixelsCeiling`: the limit every decoder enforces.
    public var effectiveMaxPixels: Int { Swift.min(Swift.max(maxPixels, 1), DecodeOptions.maxPixelsCeiling) }

    /// The image memory budget: `budgetBytesPerPixel × effectiveMaxPixels + budgetBaseBytes`
    /// bytes (2.06 GiB by default).
    public var memoryBudget: MemoryBudget { MemoryBudget.image(maxPixels: maxPixels) }

    /// Checks, from the header alone and before any pixel buffer exists, that the decoder's
    /// own peak (`decoderBytes`) and then the decoded `width × height` RGB image plus the
    /// caller's `plannedUse` of it fit the budget. `width`/`height` are the size the decoder
    /// returns (reduction and orientation applied).
    /// - Throws: `EdgeflowError(.invalidInput)` naming the image size, the need and the budget.
    func checkMemory(format: String, width: Int, height: Int, decoderBytes: Int) throws {
        let budget = memoryBudget
        let pixels = try CheckedSize.multiply(width, height, "\(format) image \(width)×\(height)")
        let image = try CheckedSize.multiply(pixels, 3, "\(format) image \(width)×\(height)")
        try budget.check(decoderBytes, for: "decoding the \(width)×\(height) \(format) image")
        guard let plannedUse else { return }
        let later = try plannedUse.bytes(width, height)
        let (total, overflow) = image.addingReportingOverflow(later)
        try budget.check(overflow ? Int.max : total,
                         for: "the \(width)×\(height) \(format) image (\(MemoryBudget.format(image))) "
                            + "with \(plannedUse.what) (\(MemoryBudget.format(later)))")
    }
}

/// What the caller will do with a decoded image, so that the decoder can refuse an image whose
/// later processing would not fit the budget before decoding it (e.g. a recipe and its tensor).
public struct PlannedImageUse: Sendable {
    /// Shown in the error, e.g. "recipe ocr-det and its nchw-f32 tensor".
    public var what: String
    /// Bytes needed next to a decoded RGB image of `width × height` (displayed size); may throw
    /// its own error (e.g. a recipe size that cannot be made from this image).
    public var bytes: @Sendable (_ width: Int, _ height: Int) throws -> Int

    public init(what: String, bytes: @escaping @Sendable (_ width: Int, _ height: Int) throws -> Int) {
        self.what = what
        self.bytes = bytes
    }
}

extension MemoryBudget {
    /// The image memory budget for a pixel limit: `12 × min(maxPixels, 2^30) + 64 MiB` bytes.
    public static func image(maxPixels: Int = DecodeOptions.defaultMaxPixels) -> MemoryBudget {
        let pixels = Swift.min(Swift.max(maxPixels, 1), DecodeOptions.maxPixelsCeiling)
        return MemoryBudget(limitBytes: pixels * DecodeOptions.budgetBytesPerPixel + DecodeOptions.budgetBaseBytes,
                            name: "image memory",
                            howToChange: "the budget is \(DecodeOptions.budgetBytesPerPixel) bytes per pixel of "
                                + "--max-pixels (\(pixels)) plus 64 MiB; use a smaller --size or image, "
                                + "or raise --max-pixels "
                                + "(at most \(DecodeOptions.maxPixelsCeiling)) if the machine has the memory")
    }
}

/// Checked byte arithmetic for buffer needs computed from image geometry.
enum ImageBytes {
    /// `width × height × bytesPerPixel`, never trapping.
    /// - Throws: `invalidInput` naming `what` when it does not fit in `Int`.
    static func of(_ width: Int, _ height: Int, _ bytesPerPixel: Int, _ what: @autoclosure () -> String) throws -> Int {
        try CheckedSize.product([width, height, bytesPerPixel], what())
    }

    /// The sum of `parts`, never trapping.
    static func sum(_ parts: [Int], _ what: @autoclosure () -> String) throws -> Int {
        try parts.reduce(0) { try CheckedSize.add($0, $1, what()) }
    }
}
