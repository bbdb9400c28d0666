// Calibration batches for the quantized model tests, made from what setup puts under
// .testdata/calibration (real photos, and text lines and pages rendered with Pillow's font; never
// the images the tests measure on): each image is decoded and fitted to the input's size by an
// EFMedia recipe (letterboxed, or for text lines padded on the right as RapidOCR pads a batch),
// normalized as the model expects, and batch rows take successive images. MTCNN's inputs are
// [B, W, H, 3] (axes 1 and 2 swapped).

import EFCore
import EFKernels
import EFMedia
import EFTestSupport
import Foundation

enum CalibrationPhotos {
    enum Layout { case nchw, nwhc }

    enum Source: String {
        case photos = "calibration/photos"
        case textLines = "calibration/text/lines"
        case textPages = "calibration/text/pages"
    }

    /// `count` samples shaped `shape` ([B, 3, H, W] for .nchw, [B, W, H, 3] for .nwhc).
    static func samples(_ count: Int, shape: [Int], layout: Layout, normalization: Normalization,
                        from source: Source = .photos, offset: Int = 0) throws -> [Tensor] {
        let folder = TestData.fetched.appendingPathComponent(source.rawValue)
        let photos = try FileManager.default.contentsOfDirectory(at: folder, includingPropertiesForKeys: nil)
            .filter { $0.pathExtension == "png" || $0.pathExtension == "jpg" }.sorted { $0.path < $1.path }
        guard !photos.isEmpty else { throw EdgeflowError(.io, "no photos in \(folder.path): run scripts/setup.sh") }
        let (height, width) = layout == .nchw ? (shape[2], shape[3]) : (shape[2], shape[1])
        let kind: PreprocessRecipe.Kind = source == .textLines
            ? .ocrRecognition(height: height, minWidth: width) : .letterbox(width: width, height: height)
        let recipe = PreprocessRecipe(name: "calibration", kind: kind, normalization: normalization)
        var images: [Tensor] = []
        for photo in photos {
            let decoded = try ImageDecoder.decode(contentsOf: photo)
            let prepared = try recipe.apply(to: decoded.image)
            let chw = TensorPacker.makeTensor(prepared, layout: .nchwFloat32, normalization: normalization)
            images.append(layout == .nchw ? chw : try Kernels.transpose(chw, perm: [0, 3, 2, 1]))
        }
        return try (0..<count).map { sample in
            let rows = (0..<shape[0]).map { images[(offset + sample * shape[0] + $0) % images.count] }
            return try Kernels.concat(rows, axis: 0)
        }
    }
}
