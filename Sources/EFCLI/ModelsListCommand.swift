// `edgeflow models list`: the model folders under the models folder (CLIP models and
// detector/recognizer pairs such as OCR text readers), with their size, whether their models are
// compiled, and whether a pull left them incomplete.

import ArgumentParser
import EFCore
import EFSearch
import Foundation

struct ModelsListCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "list",
        abstract: "List the models in the models folder with their size and whether they are compiled.",
        discussion: """
            Examples:
              edgeflow models list
              edgeflow models list --models-dir ./models --json
            """)

    @OptionGroup var location: ModelsDirectoryOption

    @Flag(help: "Print machine-readable JSON.")
    var json = false

    private struct Entry: Encodable {
        var name: String
        /// "clip" or "detector-recognizer" (an OCR text reader or face models).
        var kind: String
        var path: String
        var bytes: Int
        var compiled: Bool
        var complete: Bool
        /// An int8 text tower (`models quantize`) is there and current.
        var int8Text: Bool
        /// An int8 image tower (`models quantize --tower visual`) is there and current.
        var int8Visual: Bool
    }

    func run() throws {
        try CommandSupport.run {
            let root = location.url
            let names = (try? FileManager.default.contentsOfDirectory(atPath: root.path)) ?? []
            let entries = names.sorted().compactMap { entry(root.appendingPathComponent($0)) }
            if json {
                try CommandSupport.printJSON(entries)
                return
            }
            for entry in entries {
                let state = !entry.complete ? "incomplete (run `edgeflow models pull \(entry.name)` again)"
                    : entry.compiled ? "compiled" : "not compiled yet (compiled on first use)"
                let int8 = [entry.int8Text ? "int8 text tower" : nil, entry.int8Visual ? "int8 image tower" : nil]
                let towers = int8.compactMap { $0 }.map { ", " + $0 }.joined()
                print([entry.name, CommandSupport.bytes(entry.bytes), state + towers].joined(separator: "  "))
            }
            print("\(entries.count) models in \(root.path)")
        }
    }

    /// The model in `folder`, or nil when it is no model folder (neither config.json, nor
    /// detection/ and recognition/ models, nor a pull's partial files).
    private func entry(_ folder: URL) -> Entry? {
        let files = regularFiles(in: folder)
        let paths = Set(files.map(\.path))
        let pair = paths.contains { $0.hasPrefix("detection/") || $0.hasPrefix("recognition/") }
        let hasMarker = pair ? paths.isSuperset(of: ["detection/model.onnx", "recognition/model.onnx"])
            : paths.contains("config.json")
        let partial = files.contains { $0.path.hasSuffix(".partial") }
        guard hasMarker || partial else { return nil }
        let compiled = pair ? pairCompiled(folder, paths) : ["visual", "textual"].allSatisfy { tower in
            let onnx = folder.appendingPathComponent("\(tower)/model.onnx")
            let efx = folder.appendingPathComponent("\(tower)/model.efx")
            return !FileManager.default.fileExists(atPath: onnx.path)
                || FolderModelCompiling.isCurrent(efx, comparedWith: onnx)
        }
        func int8(_ path: String, _ tower: String) -> Bool {
            !pair && FolderModelCompiling.isCurrent(folder.appendingPathComponent(path),
                                                    comparedWith: folder.appendingPathComponent("\(tower)/model.onnx"))
        }
        return Entry(name: folder.lastPathComponent, kind: pair ? "detector-recognizer" : "clip", path: folder.path,
                     bytes: files.reduce(0) { $0 + $1.size }, compiled: compiled, complete: hasMarker && !partial,
                     int8Text: int8(CLIPFolder.textualInt8Path, "textual"),
                     int8Visual: int8(CLIPFolder.visualInt8Path, "visual"))
    }

    /// Whether each model.onnx of a detector/recognizer folder has a current executable beside it
    /// (they are compiled per input shape, as model-SHAPE.efx or model.efx).
    private func pairCompiled(_ folder: URL, _ paths: Set<String>) -> Bool {
        let parts = ["detection", "recognition", "classification"].filter { paths.contains("\($0)/model.onnx") }
        return !parts.isEmpty && parts.allSatisfy { part in
            let onnx = folder.appendingPathComponent("\(part)/model.onnx")
            return paths.contains { path in
                let name = path.dropFirst(part.count + 1)
                return path.hasPrefix(part + "/model") && path.hasSuffix(".efx") && !name.contains("/")
                    && FolderModelCompiling.isCurrent(folder.appendingPathComponent(path), comparedWith: onnx)
            }
        }
    }

    /// Every regular file under `folder` (relative path, size); symbolic links are not followed.
    private func regularFiles(in folder: URL) -> [(path: String, size: Int)] {
        guard let walker = FileManager.default.enumerator(atPath: folder.path) else { return [] }
        var files: [(String, Int)] = []
        while let path = walker.nextObject() as? String {
            let attributes = walker.fileAttributes ?? [:]
            guard attributes[.type] as? FileAttributeType == .typeRegular else { continue }
            files.append((path, (attributes[.size] as? NSNumber)?.intValue ?? 0))
        }
        return files
    }
}
