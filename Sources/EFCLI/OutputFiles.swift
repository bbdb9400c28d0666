// Writing `infer` results: one `.npy` per output, named after the output with characters
// outside [A-Za-z0-9._-] replaced by `_`, each written atomically; if any write fails, the
// files this run already wrote are removed again. Plus the min/max/mean shown per output.

import EFArchive
import EFCore
import Foundation

enum OutputFiles {
    /// An output's file name without `.npy`: every character but ASCII letters, digits, '.', '_'
    /// and '-' replaced by `_`.
    private static func baseName(for output: String) -> String {
        let safe = output.unicodeScalars.map { scalar -> String in
            let allowed = scalar.isASCII
                && (CharacterSet.alphanumerics.contains(scalar) || "._-".unicodeScalars.contains(scalar))
            return allowed ? String(scalar) : "_"
        }.joined()
        return safe.isEmpty ? "_" : safe
    }

    /// File names for all outputs; a name that collides with an earlier one gets `_2`, `_3`...
    static func fileNames(for outputs: [String]) -> [String] {
        var used = UniqueNames(firstSuffix: 2)
        return outputs.map { used.fresh(baseName(for: $0)) + ".npy" }
    }

    /// Fails early when `directory` exists but is not a directory.
    static func checkUsable(_ directory: URL) throws {
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: directory.path, isDirectory: &isDirectory), !isDirectory.boolValue {
            throw EdgeflowError(.io, "the output directory \(CommandSupport.display(directory)) is a file",
                                hint: "choose a directory with --output-dir")
        }
    }

    /// Creates `directory` if needed and writes each tensor to its file, atomically.
    /// - Throws: `EdgeflowError.io`; files already written by this call are removed.
    static func write(_ files: [(url: URL, tensor: Tensor)], into directory: URL) throws {
        do {
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        } catch {
            throw EdgeflowError(.io, "cannot create the output directory \(CommandSupport.display(directory)): "
                                    + error.localizedDescription)
        }
        var written: [URL] = []
        do {
            for file in files {
                try AtomicFile.write(NPY.encode(file.tensor), to: file.url)
                written.append(file.url)
            }
        } catch {
            for url in written { try? FileManager.default.removeItem(at: url) }
            throw error
        }
    }

    /// Summary statistics of an output for the human-readable report.
    struct Statistics {
        var minimum: Double
        var maximum: Double
        var mean: Double
        var nanCount: Int

        init?(_ tensor: Tensor) {
            let values = tensor.doubleValues()
            let finite = values.filter { !$0.isNaN }
            nanCount = values.count - finite.count
            guard let first = finite.first else { return nil }
            var low = first, high = first, sum = 0.0
            for value in finite {
                low = Swift.min(low, value)
                high = Swift.max(high, value)
                sum += value
            }
            minimum = low
            maximum = high
            mean = sum / Double(finite.count)
        }

        var text: String {
            let base = String(format: "min %.6g  max %.6g  mean %.6g", minimum, maximum, mean)
            return nanCount > 0 ? base + "  (\(nanCount) NaN)" : base
        }
    }
}
