// `edgeflow inspect` for Hailo executables (.hef): recognizes the file by its magic bytes,
// prints EFHailo's description as text or JSON, and gives `edgeflow run` the text it prints
// when asked to run a HEF (which only a Hailo device with HailoRT can do).

import EFCore
import EFHailo
import Foundation

/// The HEF side of the CLI.
public enum HEFInspection {
    /// True when the file at `url` starts with the HEF magic (by content, not extension).
    public static func isHEF(_ url: URL) -> Bool {
        guard let handle = try? FileHandle(forReadingFrom: url) else { return false }
        defer { try? handle.close() }
        let prefix = (try? handle.read(upToCount: 4)) ?? Data()
        return HEFFile.looksLikeHEF(prefix)
    }

    /// The lines `edgeflow inspect FILE.hef` prints, or its JSON with `json`.
    public static func inspect(url: URL, label: String, json: Bool, verify: Bool = true) throws -> String {
        let data: Data
        do {
            data = try Data(contentsOf: url, options: .mappedIfSafe)
        } catch {
            throw EdgeflowError(.io, "cannot read \(label): \(error.localizedDescription)")
        }
        let description = try HEFFile(data: data, label: label, verifyChecksums: verify).description
        if json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
            return String(decoding: try encoder.encode(description), as: UTF8.self)
        }
        return description.textLines.joined(separator: "\n")
    }

    /// What `edgeflow run` prints for a HEF: why it cannot run it, then the inspect summary
    /// (or why the file could not be read).
    public static func runRefusal(url: URL) -> String {
        var lines = ["\(url.lastPathComponent): this is a Hailo executable (HEF); it runs on a Hailo device with "
                     + "HailoRT (hailortcli run), not on Edgeflow's CPU runtime.",
                     "To run the model here, compile its ONNX source with `edgeflow parse` and `edgeflow compile`.",
                     ""]
        do {
            lines.append(try inspect(url: url, label: url.path, json: false))
        } catch let error as EdgeflowError {
            lines.append("The file could not be read: \(error.message)")
        } catch {
            lines.append("The file could not be read: \(error)")
        }
        return lines.joined(separator: "\n")
    }
}
