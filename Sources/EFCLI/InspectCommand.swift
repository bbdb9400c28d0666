// `edgeflow inspect`: what an archive holds — its metadata, input/output contract (dtype,
// shape, bytes), op histogram and parameter count; optionally the whole graph as text.
// A Hailo executable (recognized by its magic bytes) is described by HEFInspection instead.

import ArgumentParser
import EFArchive
import EFCore
import EFIR
import Foundation

struct InspectCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "inspect",
        abstract: "Show what an Edgeflow archive (.efa), executable (.efx) or Hailo executable (.hef) holds.",
        discussion: """
            Prints the archive's format and state, the Edgeflow version and source model that \
            made it, every input and output with its dtype, shape and exact byte size (what \
            `edgeflow infer` expects), the ops used and the parameter count. --graph adds one \
            line per node; --json prints the same as JSON. For an executable (.efx) it prints its \
            provenance, inputs and outputs with layouts, embedded recipe, required CPU features, \
            program size and sections. For a Hailo .hef (recognized by its \
            bytes) it prints what `hailortcli parse-hef` shows plus checksums and quantization.

            Example:
              edgeflow inspect resnet50.efa --graph
            """)

    @Argument(help: "The archive to inspect.")
    var archive: String

    @Flag(help: "Also print the graph, one line per node.")
    var graph = false

    @Flag(help: "Print machine-readable JSON.")
    var json = false

    @Flag(help: "For a Hailo .hef: show the file even when a checksum does not match.")
    var noVerify = false

    private struct Report: Encodable {
        var archive: String
        var metadata: ArchiveMetadata
        var summary: ModelSummary
        /// The graph as text lines (with --graph).
        var graphText: [String]?
    }

    func run() throws {
        try CommandSupport.run {
            let url = CommandSupport.url(archive)
            if HEFInspection.isHEF(url) {
                print(try HEFInspection.inspect(url: url, label: archive, json: json, verify: !noVerify))
                return
            }
            if try FileKind.detect(url: url) == .efx {
                return try ExecutableInspection.print(url, label: archive, json: json)
            }
            try ModelFileKinds.require(url, is: .efa, for: "inspect")
            let contents = try EdgeflowArchive.read(from: url)
            let summary = ModelSummary(contents.graph)
            let text = graph ? contents.graph.textDump().components(separatedBy: "\n") : nil
            if json {
                try CommandSupport.printJSON(Report(archive: url.path, metadata: contents.metadata,
                                                    summary: summary, graphText: text))
                return
            }
            let metadata = contents.metadata
            print("\(archive): Edgeflow archive, format version \(metadata.formatVersion), "
                + "state \(metadata.state.rawValue)")
            print("  written by Edgeflow \(metadata.edgeflowVersion) at \(metadata.created)")
            if let source = metadata.sourceModel {
                print("  source model: \(source.fileName) (sha256 \(source.sha256))")
            }
            for line in summary.lines { print("  " + line) }
            if let text {
                print("")
                for line in text { print(line) }
            }
        }
    }
}
