// Pillow's NEAREST resize (`ImagingScaleAffine`): source positions accumulated in double
// precision from the first pixel centre, truncated; positions that fall outside stay black.

enum PillowNearest {
    /// Source index per output index along one axis, or −1 where Pillow leaves the output black.
    static func sourceIndices(inSize: Int, outSize: Int) -> [Int] {
        let step = Double(Float(inSize)) / Double(outSize)
        var position = step * 0.5
        var indices = [Int](repeating: -1, count: outSize)
        for i in 0..<outSize {
            let index = position < 0 ? -1 : Int(position)
            if index >= 0 && index < inSize { indices[i] = index }
            position += step
        }
        return indices
    }

    static func resize(_ image: PixelImage, width: Int, height: Int) -> PixelImage {
        let xs = sourceIndices(inSize: image.width, outSize: width)
        let ys = sourceIndices(inSize: image.height, outSize: height)
        let c = image.channels
        var out = PixelImage(zerosWidth: width, height: height, channels: c)
        image.pixels.withUnsafeBufferPointer { src in
            out.pixels.withUnsafeMutableBufferPointer { dst in
                for (yy, y) in ys.enumerated() where y >= 0 {
                    let srcRow = y * image.rowBytes
                    let dstRow = yy * width * c
                    for (xx, x) in xs.enumerated() where x >= 0 {
                        for ch in 0..<c { dst[dstRow + xx * c + ch] = src[srcRow + x * c + ch] }
                    }
                }
            }
        }
        return out
    }
}
