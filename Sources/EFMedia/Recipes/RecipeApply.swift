// The geometry steps of each recipe, with the reference pipelines' exact integer rounding.

import EFCore

extension PreprocessRecipe {
    /// Applies the recipe's resize / crop / padding to an RGB (or gray/RGBA) image.
    /// - Throws: `EdgeflowError.invalidArgument` when a size parameter is < 1 or the result
    ///   would have an empty side (e.g. an OCR detection side that rounds to 0).
    public func apply(to image: PixelImage) throws -> PreparedImage {
        let w = image.width, h = image.height
        func geometry(_ sx: Double, _ sy: Double, _ ox: Double = 0, _ oy: Double = 0,
                      content: (Int, Int, Int, Int)) -> ImageGeometry {
            ImageGeometry(sourceWidth: w, sourceHeight: h, scaleX: sx, scaleY: sy, offsetX: ox, offsetY: oy,
                          contentX: content.0, contentY: content.1, contentWidth: content.2, contentHeight: content.3)
        }
        switch kind {
        case .clip(let size):
            try requirePositive(size)
            // torchvision Resize(int): the short side becomes `size`, the long side int(size·long/short).
            let long = Int(Double(size * max(w, h)) / Double(min(w, h)))
            let (nw, nh) = w <= h ? (size, long) : (long, size)
            try Resampler.checkedSize(width: nw, height: nh)
            let top = Int((Double(nh - size) / 2).rounded(.toNearestOrEven))
            let left = Int((Double(nw - size) / 2).rounded(.toNearestOrEven))
            // Only the crop window of the resized image is computed (identical to resize + crop).
            let cropped = nw == w && nh == h
                ? crop(image, x: left, y: top, width: size, height: size)
                : try Resampler.resize(image, width: nw, height: nh, filter: .bicubic,
                                       columns: left ..< left + size, rows: top ..< top + size)
            return PreparedImage(image: cropped,
                                 geometry: geometry(Double(nw) / Double(w), Double(nh) / Double(h), Double(-left), Double(-top),
                                                    content: (0, 0, size, size)),
                                 padding: .pixels)
        case .squash(let tw, let th):
            try requirePositive(tw, th)
            let resized = try Resampler.resize(image, width: tw, height: th, filter: .bicubic)
            return PreparedImage(image: resized, geometry: geometry(Double(tw) / Double(w), Double(th) / Double(h),
                                                                    content: (0, 0, tw, th)), padding: .pixels)
        case .letterbox(let tw, let th):
            try requirePositive(tw, th)
            let imageRatio = Double(h) / Double(w), modelRatio = Double(th) / Double(tw)
            let (nw, nh) = imageRatio > modelRatio ? (Int(Double(th) / imageRatio), th) : (tw, Int(Double(tw) * imageRatio))
            try requirePositive(nw, nh)
            let resized = try Resampler.resize(image, width: nw, height: nh, filter: .opencvLinear)
            let scale = Double(nh) / Double(h)
            return PreparedImage(image: pad(resized, width: tw, height: th),
                                 geometry: geometry(scale, scale, content: (0, 0, nw, nh)), padding: .pixels)
        case .ocrDetection(let side, let type):
            try requirePositive(side)
            var ratio = 1.0
            if type == .min && min(w, h) < side { ratio = h < w ? Double(side) / Double(h) : Double(side) / Double(w) }
            if type == .max && max(w, h) > side { ratio = h > w ? Double(side) / Double(h) : Double(side) / Double(w) }
            func round32(_ v: Int) -> Int { Int((Double(v) / 32).rounded(.toNearestOrEven)) * 32 }
            let rh = round32(Int(Double(h) * ratio)), rw = round32(Int(Double(w) * ratio))
            try requirePositive(rw, rh)
            let resized = try Resampler.resize(image, width: rw, height: rh, filter: .opencvLinear)
            return PreparedImage(image: resized, geometry: geometry(Double(rw) / Double(w), Double(rh) / Double(h),
                                                                    content: (0, 0, rw, rh)), padding: .pixels)
        case .ocrRecognition(let th, let minW):
            try requirePositive(th, minW)
            let ratio = Double(w) / Double(h)
            let paddedWidth = Int(Double(th) * max(Double(minW) / Double(th), ratio))
            let ceilWidth = Int((Double(th) * ratio).rounded(.up))
            let resizedWidth = ceilWidth > paddedWidth ? paddedWidth : ceilWidth
            try requirePositive(resizedWidth)
            let resized = try Resampler.resize(image, width: resizedWidth, height: th, filter: .opencvLinear)
            return PreparedImage(image: pad(resized, width: paddedWidth, height: th),
                                 geometry: geometry(Double(resizedWidth) / Double(w), Double(th) / Double(h),
                                                    content: (0, 0, resizedWidth, th)),
                                 padding: .zeroAfterNormalization)
        }
    }

    private func requirePositive(_ values: Int...) throws {
        for v in values where v < 1 {
            throw EdgeflowError(.invalidArgument, "recipe \(name) (\(kind)) gives a size of \(v): sides must be at least 1",
                                hint: "use a larger target size or a larger image")
        }
    }
}

/// The `width × height` window at (x, y) of `image` (the window lies inside the image).
func crop(_ image: PixelImage, x: Int, y: Int, width: Int, height: Int) -> PixelImage {
    if x == 0 && y == 0 && width == image.width && height == image.height { return image }
    var out = PixelImage(zerosWidth: width, height: height, channels: image.channels)
    let rowBytes = width * image.channels
    for row in 0..<height {
        let src = (y + row) * image.rowBytes + x * image.channels
        out.pixels.replaceSubrange(row * rowBytes ..< (row + 1) * rowBytes, with: image.pixels[src ..< src + rowBytes])
    }
    return out
}

/// `image` at the top-left of a zero `width × height` canvas (at least as large as the image).
func pad(_ image: PixelImage, width: Int, height: Int) -> PixelImage {
    if width == image.width && height == image.height { return image }
    var out = PixelImage(zerosWidth: width, height: height, channels: image.channels)
    for row in 0..<image.height {
        let dst = row * out.rowBytes
        out.pixels.replaceSubrange(dst ..< dst + image.rowBytes,
                                   with: image.pixels[row * image.rowBytes ..< (row + 1) * image.rowBytes])
    }
    return out
}
