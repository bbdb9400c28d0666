// `edgeflow optimize`: the fp-optimized stage as its own archive, so the stages of a model
// (native → fp-optimized → compiled) can be kept, inspected and compared one by one; the
// archive's metadata records the stage.

import ArgumentParser
import EFArchive
import EFCompiler
import EFCore
import EFIR
import Foundation

struct OptimizeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "optimize",
        abstract: "Write the fp-optimized stage of a native archive as a new archive.",
        discussion: """
            Runs the float optimization passes (dead code, constant and BatchNorm folding, \
            Clip/HardSwish/GELU/LayerNorm recognition, bias/residual/activation fusion, the \
            channels-last layout of conv regions) and writes the result with state \
            "fp-optimized". `edgeflow compile` does this itself for a native archive; this verb \
            keeps the stage to inspect (`edgeflow inspect OUT.efa --graph`) or to compare with \
            `edgeflow infer --reference` on both archives.

            Example:
              edgeflow optimize resnet50.efa -o resnet50.fp.efa
            """)

    @Argument(help: "The native archive.")
    var archive: String

    @Option(name: [.customShort("o"), .customLong("output")], help: ArgumentHelp("The archive to write.",
                                                                                  valueName: "out.efa"))
    var output: String

    @Flag(help: "Print machine-readable JSON.")
    var json = false

    private struct Report: Encodable {
        var archive: String
        var state: String
        var nodesBefore: Int
        var nodesAfter: Int
        var passes: [String]
    }

    func run() throws {
        try CommandSupport.run {
            let source = CommandSupport.url(archive)
            try ModelFileKinds.require(source, is: .efa, for: "optimize")
            let contents = try EdgeflowArchive.read(from: source)
            guard contents.graph.stage == .native else {
                throw EdgeflowError(.invalidArgument, "\(archive) is already at stage \(contents.graph.stage.rawValue)",
                                    hint: "compile it: edgeflow compile \(archive) -o MODEL.efx")
            }
            let optimized = try ModelPipeline.optimize(contents.graph)
            let target = CommandSupport.url(output)
            let metadata = try ArchiveMetadata(describing: optimized.graph, sourceModel: contents.metadata.sourceModel)
            try EdgeflowArchive.write(graph: optimized.graph, metadata: metadata, to: target)
            let passes = optimized.report?.passes.map(\.description) ?? []
            let report = Report(archive: target.path, state: optimized.graph.stage.rawValue,
                                nodesBefore: contents.graph.nodes.count, nodesAfter: optimized.graph.nodes.count,
                                passes: passes)
            if json { return try CommandSupport.printJSON(report) }
            print("\(archive) → \(CommandSupport.display(target)): state \(report.state), "
                + "\(report.nodesBefore) → \(report.nodesAfter) nodes")
            for line in passes { print("  " + line) }
        }
    }
}
