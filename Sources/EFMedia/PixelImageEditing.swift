// Whole-pixel edits of a decoded image that detection pipelines need: cutting out a window
// (a text line, a face), turning a tall crop upright and an upside-down one round.

import EFCore

extension PixelImage {
    /// The `width × height` window whose top-left pixel is (x, y).
    /// - Throws: `EdgeflowError.invalidInput` when the window is empty or not inside the image.
    public func cropped(x: Int, y: Int, width: Int, height: Int) throws -> PixelImage {
        guard width >= 1, height >= 1, x >= 0, y >= 0, x <= self.width - width, y <= self.height - height else {
            throw EdgeflowError(.invalidInput, "the window \(width)×\(height) at (\(x), \(y)) is not inside the "
                                    + "\(self.width)×\(self.height) image")
        }
        return crop(self, x: x, y: y, width: width, height: height)
    }

    /// The image turned a quarter counter-clockwise (numpy's rot90: width and height swap).
    public func rotatedCounterClockwise() -> PixelImage {
        Orientation.apply(8, to: self)
    }

    /// The image turned half a circle (OpenCV's ROTATE_180: the pixels in reverse order).
    public func rotatedHalfTurn() -> PixelImage {
        Orientation.apply(3, to: self)
    }
}
