// A recipe's geometry computed from the source size alone, with the reference pipelines' exact
// integer rounding, before any pixel is touched: the resize, the crop window, the model canvas
// and the bytes every buffer of `apply` and of the packed tensor will take. `apply` runs a plan;
// callers check a plan against the image memory budget before decoding.

import EFCore

/// What a recipe will do to a `sourceWidth × sourceHeight` image.
public struct RecipePlan: Equatable, Sendable {
    public var sourceWidth: Int
    public var sourceHeight: Int
    /// The size the source is resized to (the source size when it is not resized).
    public var resizeWidth: Int
    public var resizeHeight: Int
    public var filter: ResampleFilter
    /// The window of the resized image that is kept (clip's center crop; else all of it).
    public var cropX: Int, cropY: Int, cropWidth: Int, cropHeight: Int
    /// The model input size: the crop placed top-left on a canvas of this size.
    public var outputWidth: Int
    public var outputHeight: Int
    public var geometry: ImageGeometry
    public var padding: PaddingFill

    /// True when the source is resized at all.
    public var resizes: Bool { resizeWidth != sourceWidth || resizeHeight != sourceHeight }

    /// Bytes of every buffer `apply` allocates for a source of `channels` (1, 3 or 4) channels,
    /// the source itself not included: filter taps, resample intermediates and output, crop, canvas.
    /// - Throws: `invalidInput` when the count does not fit in `Int`.
    public func workingBytes(channels: Int) throws -> Int {
        let what = "recipe buffers for a \(sourceWidth)×\(sourceHeight) image"
        let c = channels
        var parts: [Int] = []
        if resizes {
            switch filter {
            case .opencvLinear:  // Int32 horizontal pass of every source row, then the output
                parts.append(try ImageBytes.of(sourceHeight, resizeWidth, 4 * c, what))
                parts.append(try ImageBytes.of(resizeWidth, resizeHeight, c, what))
            case .nearest:
                parts.append(try ImageBytes.of(resizeWidth, resizeHeight, c, what))
            case .box, .bilinear, .bicubic, .lanczos:  // one pass over the source's other axis, then the window
                let first = max(try ImageBytes.of(sourceHeight, cropWidth, c, what),
                                try ImageBytes.of(cropHeight, sourceWidth, c, what))
                parts += [first, try ImageBytes.of(sourceWidth, c, 4, what),
                          try ImageBytes.of(cropWidth, cropHeight, c, what),
                          try tapBytes(sourceWidth, resizeWidth), try tapBytes(sourceHeight, resizeHeight)]
                if c == 4 {  // premultiplied copies of the source and of the result
                    parts += [try ImageBytes.of(sourceWidth, sourceHeight, 4, what),
                              try ImageBytes.of(cropWidth, cropHeight, 4, what)]
                }
            }
            parts.append(try CheckedSize.multiply(resizeWidth + resizeHeight, 32, what))
        }
        if cropWidth != resizeWidth || cropHeight != resizeHeight {
            parts.append(try ImageBytes.of(cropWidth, cropHeight, c, what))
        }
        if outputWidth != cropWidth || outputHeight != cropHeight {
            parts.append(try ImageBytes.of(outputWidth, outputHeight, c, what))
        }
        return try ImageBytes.sum(parts, what)
    }

    /// Bytes of the packed tensor of `batch` such images: `batch × H × W × channels` elements of
    /// 4 bytes (the float layouts) or 1 byte (`nhwcUInt8`).
    /// - Throws: `invalidInput` when the count does not fit in `Int`.
    public func tensorBytes(layout: TensorLayout, channels: Int, batch: Int = 1) throws -> Int {
        try CheckedSize.product([batch, outputWidth, outputHeight, channels, layout.elementBytes],
                                "\(layout.rawValue) tensor of \(outputWidth)×\(outputHeight)")
    }

    /// Pillow's taps for one axis (whole axis and its window copy): weights of
    /// `2·ceil(support·scale) + 1` per output, support ≤ 3 (Lanczos), plus two indices.
    private func tapBytes(_ inSize: Int, _ outSize: Int) throws -> Int {
        let scale = max(1, (inSize + outSize - 1) / max(outSize, 1))
        let stride = try CheckedSize.add(try CheckedSize.multiply(scale, 6, "filter taps"), 1, "filter taps")
        return try CheckedSize.product([2, outSize, stride * 4 + 16], "filter taps of \(inSize) → \(outSize)")
    }
}

extension PreprocessRecipe {
    /// The plan for a `width × height` source: every size computed with checked arithmetic.
    /// - Throws: `invalidArgument` when a recipe size is < 1; `invalidInput` when the image
    ///   makes an empty side or a resize beyond `Resampler.maxSide` / `Resampler.maxPixels`.
    public func plan(width w: Int, height h: Int) throws -> RecipePlan {
        guard w >= 1, h >= 1 else {
            throw EdgeflowError(.invalidInput, "recipe \(name) on an image of \(w)×\(h): sides must be at least 1")
        }
        let what = "recipe \(name) on a \(w)×\(h) image"
        func plan(_ nw: Int, _ nh: Int, _ filter: ResampleFilter, crop: (Int, Int, Int, Int)? = nil,
                  canvas: (Int, Int)? = nil, padding: PaddingFill = .pixels,
                  scale: (Double, Double)? = nil) throws -> RecipePlan {
            try requireSides(w, h, nw, nh)
            let window = crop ?? (0, 0, nw, nh)
            let (ow, oh) = canvas ?? (window.2, window.3)
            try requireSides(w, h, ow, oh)
            let (sx, sy) = scale ?? (Double(nw) / Double(w), Double(nh) / Double(h))
            let geometry = ImageGeometry(sourceWidth: w, sourceHeight: h, scaleX: sx, scaleY: sy,
                                         offsetX: Double(-window.0), offsetY: Double(-window.1), contentX: 0,
                                         contentY: 0, contentWidth: window.2, contentHeight: window.3)
            return RecipePlan(sourceWidth: w, sourceHeight: h, resizeWidth: nw, resizeHeight: nh, filter: filter,
                              cropX: window.0, cropY: window.1, cropWidth: window.2, cropHeight: window.3,
                              outputWidth: ow, outputHeight: oh, geometry: geometry, padding: padding)
        }
        switch kind {
        case .clip(let size):
            try requirePositive(size)
            // torchvision Resize(int): the short side becomes `size`, the long side int(size·long/short).
            let scaled = try CheckedSize.multiply(size, max(w, h), what)
            let long = try CheckedSize.int(truncating: Double(scaled) / Double(min(w, h)), what)
            let (nw, nh) = w <= h ? (size, long) : (long, size)
            let top = try CheckedSize.int(truncating: (Double(nh - size) / 2).rounded(.toNearestOrEven), what)
            let left = try CheckedSize.int(truncating: (Double(nw - size) / 2).rounded(.toNearestOrEven), what)
            return try plan(nw, nh, .bicubic, crop: (left, top, size, size))
        case .squash(let tw, let th):
            try requirePositive(tw, th)
            return try plan(tw, th, .bicubic)
        case .letterbox(let tw, let th):
            try requirePositive(tw, th)
            let imageRatio = Double(h) / Double(w), modelRatio = Double(th) / Double(tw)
            let (nw, nh) = imageRatio > modelRatio
                ? (try CheckedSize.int(truncating: Double(th) / imageRatio, what), th)
                : (tw, try CheckedSize.int(truncating: Double(tw) * imageRatio, what))
            let scale = Double(nh) / Double(h)
            return try plan(nw, nh, .opencvLinear, canvas: (tw, th), scale: (scale, scale))
        case .ocrDetection(let side, let type):
            try requirePositive(side)
            var ratio = 1.0
            if type == .min && min(w, h) < side { ratio = h < w ? Double(side) / Double(h) : Double(side) / Double(w) }
            if type == .max && max(w, h) > side { ratio = h > w ? Double(side) / Double(h) : Double(side) / Double(w) }
            func round32(_ v: Double) throws -> Int {
                try CheckedSize.int(truncating: (Double(try CheckedSize.int(truncating: v, what)) / 32)
                    .rounded(.toNearestOrEven) * 32, what)
            }
            return try plan(try round32(Double(w) * ratio), try round32(Double(h) * ratio), .opencvLinear)
        case .ocrRecognition(let th, let minW, let maxW):
            try requirePositive(th, minW, maxW ?? minW)
            let ratio = Double(w) / Double(h)
            let naturalWidth = try CheckedSize.int(truncating: Double(th) * max(Double(minW) / Double(th), ratio), what)
            let paddedWidth = min(naturalWidth, maxW ?? naturalWidth)
            let ceilWidth = try CheckedSize.int(truncating: (Double(th) * ratio).rounded(.up), what)
            let resizedWidth = min(ceilWidth, paddedWidth)
            return try plan(resizedWidth, th, .opencvLinear, canvas: (paddedWidth, th),
                            padding: .zeroAfterNormalization)
        }
    }

    /// The plan's bytes beyond the source image: `workingBytes` plus the packed tensor.
    /// - Throws: as `plan(width:height:)`.
    public func memoryNeed(width: Int, height: Int, channels: Int = 3, layout: TensorLayout) throws -> Int {
        let plan = try plan(width: width, height: height)
        return try CheckedSize.add(try plan.workingBytes(channels: channels),
                                   try plan.tensorBytes(layout: layout, channels: channels), "recipe \(name) memory")
    }

    func requirePositive(_ values: Int...) throws {
        for v in values where v < 1 {
            throw EdgeflowError(.invalidArgument,
                                "recipe \(name) (\(kind)) gives a size of \(v): sides must be at least 1",
                                hint: "use a larger target size")
        }
    }

    /// A computed side (from the image and the recipe) that is empty or beyond the resampler's limits.
    private func requireSides(_ w: Int, _ h: Int, _ nw: Int, _ nh: Int) throws {
        let max = Resampler.maxSide
        guard nw >= 1, nh >= 1, nw <= max, nh <= max, nw * nh <= Resampler.maxPixels else {
            throw EdgeflowError(.invalidInput,
                                "recipe \(name) would make a \(nw)×\(nh) image from this \(w)×\(h) one "
                                    + "(sides must be 1…\(max), at most \(Resampler.maxPixels) pixels)",
                                hint: "the image's aspect ratio is too extreme for this recipe, or --size is too large")
        }
    }
}
