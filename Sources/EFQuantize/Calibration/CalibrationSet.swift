// The calibration set of the quantized stage: the sample inputs the fp-optimized model runs on so
// that the range observers see real activations (`edgeflow optimize MODEL.efa --calib-set PATH`).
// `CalibrationSet.load` reads one `.npy`, one `.npz`, a single photo, or a folder of arrays or of
// photos, and returns samples shaped exactly as the model's inputs. Layouts, order, limits and
// what is skipped or refused: docs/calibration.md.

import EFCore
import EFTransforms
import EFMedia
import Foundation

/// One model input a calibration sample fills: its name, dtype and full shape, batch axis
/// included (e.g. `float32 [1, 3, 224, 224]`).
public struct CalibrationInput: Equatable, Sendable {
    public var name: String
    public var dtype: DType
    public var shape: [Int]
    /// Set when the input takes YUV bytes or an NV12/NV21 frame (a model script's
    /// input_conversion): photos are prepared as RGB, then encoded so.
    public var yuv: YUVConversion?

    public init(name: String, dtype: DType, shape: [Int], yuv: YUVConversion? = nil) {
        self.name = name
        self.dtype = dtype
        self.shape = shape
        self.yuv = yuv
    }

    /// "'x' float32[1, 3, 224, 224]", for messages.
    var label: String { "'\(name)' \(dtype.rawValue)\(shape.shapeDescription)" }
}

/// The samples a model is calibrated on, with the files that were passed over and why.
public struct CalibrationSet: Sendable {
    /// A file of the set that gave no sample: a damaged or unreadable photo, or a file that is
    /// neither a photo nor an array.
    public struct SkippedFile: Equatable, Sendable {
        /// The file's path.
        public var file: String
        /// Why it was skipped, e.g. "b.jpg: the JPEG data is truncated".
        public var reason: String

        public init(file: String, reason: String) {
            self.file = file
            self.reason = reason
        }
    }

    /// One dictionary per sample, keyed by input name, holding one tensor per model input with
    /// exactly that input's dtype and shape. In file order (sorted names), at most the limit.
    public var samples: [[String: Tensor]]
    /// The files that gave no sample, in the order they were met.
    public var skipped: [SkippedFile]
    /// What the samples came from, e.g. "folder calib (photos, recipe clip): 64 samples from 64 files".
    public var source: String

    public init(samples: [[String: Tensor]], skipped: [SkippedFile], source: String) {
        self.samples = samples
        self.skipped = skipped
        self.source = source
    }

    /// Loads the calibration set at `url` for a model with `inputs`.
    ///
    /// Accepted (file kinds are told by their bytes, never by their names):
    /// - an `.npy` file (single-input model): an array of the input's shape is one sample;
    ///   `[N] + shape`, or `[N, …]` replacing a leading batch axis of 1, is N samples;
    /// - an `.npz` file: one array per input name, each shaped as for `.npy`, all with the same
    ///   sample count; a missing input or an unknown key is an error;
    /// - a folder of `.npy`/`.npz` files, walked recursively in sorted name order;
    /// - a photo (JPEG, PNG, WebP, HEIF/HEIC, GIF, TIFF, camera RAW) or a folder of photos (single-input
    ///   model, `recipe` required): each photo is decoded (EXIF orientation applied), prepared by
    ///   `recipe` and packed as float32 NCHW normalized (float32 `[1, 3, H, W]` inputs) or uint8
    ///   NHWC bytes (uint8 `[1, H, W, 3]` inputs), as `edgeflow preprocess` does.
    ///
    /// Hidden files and folders (names starting with ".") are ignored. Array dtypes are converted
    /// only as follows: float16 → float32 (exact), float64 → float32 (rounded to nearest, a
    /// finite value beyond float32's range is an error), any numeric dtype → uint8 when every
    /// value is a whole number in 0…255. Float samples must be finite.
    ///
    /// - Parameters:
    ///   - recipe: how photos become input tensors; nil when the set holds arrays.
    ///   - limit: at most this many samples are taken, the first in file order (1…`Int.max`).
    ///   - budgetBytes: the samples together must fit this many bytes (checked with checked
    ///     arithmetic before each sample is made), and each `.npy`/`.npz` file is read only when it
    ///     fits what the samples taken so far leave. Photos are decoded within EFMedia's own image
    ///     budget (default pixel limit), as `edgeflow preprocess` does.
    ///   - progress: called after each photo or array file with (such files done, such files in
    ///     the set); files after the one that reached `limit` are not read.
    /// - Returns: between 1 and `limit` samples; `skipped` lists, in walk order, the damaged or
    ///   unreadable photos and the files that are neither photos nor arrays met before the limit.
    /// - Throws: `EdgeflowError.invalidArgument` for no inputs, repeated input names, a bad input
    ///   shape or `limit` < 1; `.io` when `url` cannot be found or read; `.invalidInput` (naming
    ///   the file, the input, what was expected and what was found) for an empty folder, zero
    ///   samples, a wrong shape, dtype or channel count, photos and arrays mixed, photos without
    ///   a recipe or for a multi-input model, a damaged `.npy`/`.npz`, every photo skipped, or
    ///   the budget exceeded; `.unsupported` for a compressed `.npz`.
    public static func load(from url: URL, inputs: [CalibrationInput], recipe: PreprocessRecipe?,
                            limit: Int = 64, budgetBytes: Int,
                            progress: ((Int, Int) -> Void)?) throws -> CalibrationSet {
        var collector = try SampleCollector(inputs: inputs, limit: limit, budgetBytes: budgetBytes)
        let listing = try CalibrationFolder.list(url)
        let files = listing.files
        let arrays = files.filter { $0.kind.isArray }, photos = files.filter { $0.kind.isPhoto }
        if let array = arrays.first, let photo = photos.first {
            throw EdgeflowError(.invalidInput,
                "\(url.path): the calibration set mixes photos (\(photo.url.path)) and arrays (\(array.url.path))",
                hint: "put the photos and the .npy/.npz files in separate folders and give one of them")
        }
        let used = arrays.isEmpty ? photos : arrays
        guard !used.isEmpty else {
            let reasons = files.map {
                SkippedFile(file: $0.url.path, reason: "\($0.url.lastPathComponent): \($0.kind.reason)")
            }
            throw noUsableFiles(url, isFolder: listing.isFolder, reasons)
        }
        let preparer = photos.isEmpty ? nil : try PhotoPreparer(inputs: inputs, recipe: recipe, source: url)
        var done = 0
        for file in files where !collector.isFull {
            guard file.kind.isArray || file.kind.isPhoto else {
                collector.skip(file.url, "\(file.url.lastPathComponent): \(file.kind.reason)")
                continue
            }
            if let preparer {
                try preparer.add(file.url, to: &collector)
            } else {
                try ArrayFile.add(file.url, kind: file.kind, to: &collector)
            }
            done += 1
            progress?(done, used.count)
        }
        guard !collector.samples.isEmpty else {
            if preparer != nil { throw allPhotosSkipped(url, collector.skipped) }
            throw EdgeflowError(.invalidInput, "\(url.path): the calibration set holds zero samples "
                                + "(every array has a sample axis of length 0)",
                                hint: "give at least one sample per model input")
        }
        let what = !listing.isFolder ? url.path
            : "folder \(url.path) (" + (preparer.map { "photos, recipe \($0.recipe.name)" } ?? "arrays") + ")"
        let count = collector.samples.count
        return CalibrationSet(samples: collector.samples, skipped: collector.skipped,
                              source: "\(what): \(count) sample\(count == 1 ? "" : "s") from \(collector.filesUsed) "
                                + "of \(used.count) file\(used.count == 1 ? "" : "s")"
                                + (collector.skipped.isEmpty ? "" : ", \(collector.skipped.count) skipped"))
    }

    /// The error for a set with no photo or array file at all.
    private static func noUsableFiles(_ url: URL, isFolder: Bool, _ skipped: [SkippedFile]) -> EdgeflowError {
        let hint = "give an .npy or .npz file, or a folder of .npy/.npz files or of photos "
            + "(JPEG, PNG, WebP, HEIF/HEIC, GIF, TIFF, camera RAW)"
        guard !skipped.isEmpty else {
            return EdgeflowError(.invalidInput, "\(url.path): the folder is empty (hidden files are ignored)",
                                 hint: hint)
        }
        let what = isFolder ? "the folder holds no photo or array file" : "not a calibration set"
        return EdgeflowError(.invalidInput, "\(url.path): \(what): \(summary(skipped))", hint: hint)
    }

    /// The error for a photo set whose every photo was skipped.
    private static func allPhotosSkipped(_ url: URL, _ skipped: [SkippedFile]) -> EdgeflowError {
        EdgeflowError(.invalidInput, "\(url.path): no photo could be used (\(skipped.count) skipped): "
                      + summary(skipped),
                      hint: "check that the photos open in an image viewer; damaged files are skipped")
    }

    /// The first few reasons, "; "-separated, with a count of the rest.
    static func summary(_ skipped: [SkippedFile], first: Int = 3) -> String {
        let shown = skipped.prefix(first).map(\.reason).joined(separator: "; ")
        return skipped.count > first ? shown + "; and \(skipped.count - first) more" : shown
    }
}
