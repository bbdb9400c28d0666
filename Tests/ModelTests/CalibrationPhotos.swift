// Calibration batches for the quantized model tests, made from the real photos setup unpacks
// into .testdata/calibration/photos (never the photos the tests measure on): each photo is
// decoded and letterboxed to the input's size by EFMedia, normalized as the model expects, and
// batch rows take successive photos. MTCNN's inputs are [B, W, H, 3] (axes 1 and 2 swapped).

import EFCore
import EFKernels
import EFMedia
import EFTestSupport
import Foundation

enum CalibrationPhotos {
    enum Layout { case nchw, nwhc }

    static var folder: URL { TestData.fetched.appendingPathComponent("calibration/photos") }

    /// `count` samples shaped `shape` ([B, 3, H, W] for .nchw, [B, W, H, 3] for .nwhc).
    static func samples(_ count: Int, shape: [Int], layout: Layout, normalization: Normalization,
                        offset: Int = 0) throws -> [Tensor] {
        let photos = try FileManager.default.contentsOfDirectory(at: folder, includingPropertiesForKeys: nil)
            .filter { !$0.lastPathComponent.hasPrefix(".") }.sorted { $0.path < $1.path }
        guard !photos.isEmpty else { throw EdgeflowError(.io, "no photos in \(folder.path): run scripts/setup.sh") }
        let (height, width) = layout == .nchw ? (shape[2], shape[3]) : (shape[2], shape[1])
        let recipe = PreprocessRecipe(name: "letterbox", kind: .letterbox(width: width, height: height),
                                      normalization: normalization)
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
