// The CLIP BPE vocabulary that ships with Edgeflow as a package resource of EFText
// (Resources/bpe_simple_vocab_16e6.txt.gz, MIT, from OpenAI CLIP; see Resources/README.md).

import EFCore
import Foundation

extension CLIPTokenizer {
    /// The resource bundle's directory name, as SwiftPM names it next to the built products.
    static let resourceBundleName = "Edgeflow_EFText.resources"

    /// The vocabulary file shipped with Edgeflow (OpenAI CLIP's `bpe_simple_vocab_16e6.txt.gz`),
    /// or nil when the resource bundle is not beside the executable (a binary copied away from
    /// its build directory without `Edgeflow_EFText.resources`).
    ///
    /// `Bundle.module` is consulted only once that directory is known to exist, because SwiftPM's
    /// generated accessor stops the process when it finds no bundle.
    public static var bundledVocabularyURL: URL? {
        let beside = Bundle.main.bundleURL.appendingPathComponent(resourceBundleName)
        guard FileManager.default.fileExists(atPath: beside.path) else { return nil }
        let url = Bundle.module.url(forResource: "bpe_simple_vocab_16e6.txt", withExtension: "gz")
        return url.flatMap { FileManager.default.isReadableFile(atPath: $0.path) ? $0 : nil }
    }

    /// A tokenizer over the vocabulary shipped with Edgeflow.
    /// - Throws: `EdgeflowError.io` when the resource bundle is missing, else as `init(vocabularyFile:)`.
    public static func bundled() throws -> CLIPTokenizer {
        guard let url = bundledVocabularyURL else {
            throw EdgeflowError(.io, "the CLIP vocabulary shipped with Edgeflow is missing (no \(resourceBundleName) "
                                    + "beside \(Bundle.main.bundleURL.path))",
                                hint: "keep the built products together, or pass the vocabulary file explicitly")
        }
        return try CLIPTokenizer(vocabularyFile: url)
    }
}
