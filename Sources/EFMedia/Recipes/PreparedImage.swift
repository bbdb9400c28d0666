// What a recipe hands to the tensor packer: the model-sized image plus the geometry that maps
// model coordinates back to source pixels (detection post-processing needs it).

/// How model-space coordinates relate to the source image, in continuous pixel-edge
/// coordinates: `model = source · scale + offset`, so `source = (model − offset) / scale`.
public struct ImageGeometry: Equatable, Sendable {
    public var sourceWidth: Int
    public var sourceHeight: Int
    public var scaleX: Double
    public var scaleY: Double
    public var offsetX: Double
    public var offsetY: Double
    /// The part of the model input that holds image content (x, y, width, height); the rest is
    /// letterbox or right padding.
    public var contentX: Int, contentY: Int, contentWidth: Int, contentHeight: Int

    /// The same mapping against the full-resolution image when the recipe ran on a reduced
    /// decode of it (`DecodedImage.displayedWidth/Height`): scales shrink by the reduction,
    /// offsets stay (they are in model pixels).
    public func relative(toFullWidth fullWidth: Int, fullHeight: Int) -> ImageGeometry {
        var result = self
        result.scaleX *= Double(sourceWidth) / Double(fullWidth)
        result.scaleY *= Double(sourceHeight) / Double(fullHeight)
        result.sourceWidth = fullWidth
        result.sourceHeight = fullHeight
        return result
    }

    /// The source-image point for a model-input point.
    public func toSource(x: Double, y: Double) -> (x: Double, y: Double) {
        ((x - offsetX) / scaleX, (y - offsetY) / scaleY)
    }
}

/// What fills the model input outside the content rectangle.
public enum PaddingFill: Equatable, Sendable {
    /// Padding is ordinary pixels of `image` (e.g. black letterbox bars): normalized like the rest.
    case pixels
    /// Padding is 0 after normalization (RapidOCR recognition): float packers write 0, the u8
    /// packer writes the byte closest to the mean (round(255 · mean)).
    case zeroAfterNormalization
}

/// A recipe's output.
public struct PreparedImage: Equatable, Sendable {
    /// The model-sized image (content plus padding), RGB.
    public var image: PixelImage
    public var geometry: ImageGeometry
    public var padding: PaddingFill

    public init(image: PixelImage, geometry: ImageGeometry, padding: PaddingFill) {
        self.image = image
        self.geometry = geometry
        self.padding = padding
    }

    /// `image` as a model input as it is (already model-sized, e.g. an aligned face crop).
    public init(unchanged image: PixelImage) {
        self.image = image
        geometry = ImageGeometry(sourceWidth: image.width, sourceHeight: image.height, scaleX: 1, scaleY: 1,
                                 offsetX: 0, offsetY: 0, contentX: 0, contentY: 0, contentWidth: image.width,
                                 contentHeight: image.height)
        padding = .pixels
    }
}
