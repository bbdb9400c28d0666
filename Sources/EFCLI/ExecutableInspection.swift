// `edgeflow inspect MODEL.efx`: what an executable holds — provenance, the input/output
// contract with layouts, the embedded recipe, the CPU features it needs, the program's size
// and ops, and the container's sections.

import EFCore
import EdgeflowRuntime
import Foundation

enum ExecutableInspection {
    static func print(_ url: URL, label: String, json: Bool) throws {
        let summary = try ExecutableSummary(contentsOf: url)
        if json { return try CommandSupport.printJSON(summary) }
        let manifest = summary.manifest, provenance = manifest.provenance
        var lines = ["\(label): Edgeflow executable, format version \(summary.formatVersion), "
            + "\(CommandSupport.bytes(summary.fileBytes)), model '\(manifest.modelName)'"]
        lines.append("  compiled by Edgeflow \(provenance.edgeflowVersion) at \(provenance.created) from a "
            + "\(provenance.archiveStage) archive; options: " + provenance.compileOptions.sorted { $0.key < $1.key }
                .map { "\($0.key)=\($0.value)" }.joined(separator: ", "))
        if let source = provenance.sourceModel {
            lines.append("  source model: \(source) (sha256 \(provenance.sourceModelSHA256 ?? "unknown"))")
        }
        let needs = manifest.requiredCPUFeatures.isEmpty ? "any x86-64 CPU"
            : manifest.requiredCPUFeatures.joined(separator: ", ")
        lines.append("  needs: \(needs)" + (summary.missingCPUFeatures.isEmpty ? ""
            : " — this CPU lacks \(summary.missingCPUFeatures.joined(separator: ", ")); it cannot run here"))
        for (role, values) in [("input", manifest.inputs), ("output", manifest.outputs)] {
            for value in values {
                lines.append("  \(role) \(value.name)  \(value.dtype.rawValue)\(value.shape.shapeDescription)  "
                    + "\(CommandSupport.grouped(value.byteCount)) bytes"
                    + (value.layout == "any" ? "" : "  \(value.layout)"))
            }
        }
        if let recipe = summary.recipe {
            lines.append("  recipe: \(recipe.name)" + (recipe.size.map { " \($0)" } ?? "")
                + ", input \(recipe.tensorLayout), "
                + (recipe.normalizationInside ? "normalization inside the model"
                    : "mean \(recipe.mean) std \(recipe.std) applied outside") + ", \(recipe.channelOrder)")
        } else {
            lines.append("  recipe: none (inputs are given as tensors)")
        }
        lines.append("  program: \(summary.steps) steps (\(summary.precision)), arena "
            + "\(CommandSupport.bytes(summary.arenaBytes)), weights \(CommandSupport.bytes(summary.constantBytes)); "
            + summary.kernelFamilies.sorted { $0.key < $1.key }.map { "\($0.value) \($0.key)" }.joined(separator: ", "))
        lines.append("  ops: " + summary.ops.sorted { ($0.value, $1.key) > ($1.value, $0.key) }
            .map { "\($0.key) \($0.value)" }.joined(separator: ", "))
        lines.append("  sections: " + summary.sections.map { "\($0.kind) \(CommandSupport.bytes($0.bytes))" }
            .joined(separator: ", "))
        Swift.print(lines.joined(separator: "\n"))
    }
}
