// What `edgeflow preprocess` reports: the source as decoded, the recipe's steps, the geometry
// back to source pixels and the tensor written — as text for people or as JSON.

import EFCore
import EFMedia
import Foundation

struct PreprocessReport: Encodable {
    struct Source: Encodable {
        var file: String
        var format: String
        var storedSize: [Int]
        var orientation: Int
        var decodedSize: [Int]
        var reduction: String
    }
    struct Geometry: Encodable {
        var scale: [Double]
        var offset: [Double]
        var content: [Int]
    }
    struct Output: Encodable {
        var file: String
        var png: String?
        var layout: String
        var dtype: String
        var shape: [Int]
        var mean: [Double]
        var std: [Double]
        var channelOrder: String
    }

    var source: Source
    var recipe: String
    var steps: [String]
    var preparedSize: [Int]
    var geometry: Geometry
    var output: Output
    var decodeSeconds: Double
    var seconds: Double

    init(source file: String, decoded: DecodedImage, recipe: PreprocessRecipe, prepared: PreparedImage,
         layout: TensorLayout, normalization: Normalization, tensor: Tensor, output: String, png: String?,
         decodeSeconds: Double, seconds: Double) {
        source = Source(file: file, format: decoded.format.rawValue, storedSize: [decoded.storedWidth, decoded.storedHeight],
                        orientation: decoded.orientation, decodedSize: [decoded.image.width, decoded.image.height],
                        reduction: decoded.reduction)
        self.recipe = recipe.name
        // The recipe's geometry steps, then the packing actually used (its own mean/std/order).
        steps = recipe.geometrySteps + [layout.describe(normalization)]
        preparedSize = [prepared.image.width, prepared.image.height]
        // Against the file's full-resolution pixels, also when --fast decoded a reduced image.
        let g = prepared.geometry.relative(toFullWidth: decoded.displayedWidth, fullHeight: decoded.displayedHeight)
        geometry = Geometry(scale: [g.scaleX, g.scaleY], offset: [g.offsetX, g.offsetY],
                            content: [g.contentX, g.contentY, g.contentWidth, g.contentHeight])
        self.output = Output(file: output, png: png, layout: layout.rawValue, dtype: tensor.dtype.rawValue, shape: tensor.shape,
                             mean: normalization.mean, std: normalization.std, channelOrder: normalization.channelOrder.rawValue)
        self.decodeSeconds = decodeSeconds
        self.seconds = seconds
    }

    func printText() {
        let s = source
        let rotated = s.orientation == 1 ? "" : ", EXIF orientation \(s.orientation) applied"
        print("\(s.file): \(s.format.uppercased()) \(s.storedSize[0])×\(s.storedSize[1])\(rotated), "
              + "decoded \(s.decodedSize[0])×\(s.decodedSize[1]) (\(s.reduction))")
        print("recipe \(recipe):")
        for (index, step) in steps.enumerated() { print("  \(index + 1). \(step)") }
        let g = geometry
        print(String(format: "geometry: model pixel = file pixel × (%.6g, %.6g) + (%.6g, %.6g); content %d,%d %d×%d of %d×%d",
                     g.scale[0], g.scale[1], g.offset[0], g.offset[1], g.content[0], g.content[1], g.content[2], g.content[3],
                     preparedSize[0], preparedSize[1]))
        print("wrote \(output.dtype)\(output.shape.shapeDescription) (\(output.layout), \(output.channelOrder.uppercased())) to \(output.file)"
              + (output.png.map { ", pixels to \($0)" } ?? ""))
        print(String(format: "took %.1f ms (decode %.1f ms)", seconds * 1e3, decodeSeconds * 1e3))
    }
}
