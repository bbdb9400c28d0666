// What an .efx holds, read without building its kernels (so a file for another CPU can still
// be described): the container's sections, the manifest, the embedded recipe and the plan's
// size, ops and planned kernel families. `edgeflow inspect MODEL.efx` prints it.

import EFCore
import EFExecutable
import EFRuntime
import Foundation

/// A description of an executable.
public struct ExecutableSummary: Encodable, Sendable {
    public struct Section: Encodable, Sendable {
        public var kind: String
        public var offset: Int
        public var bytes: Int
    }
    public var file: String
    public var fileBytes: Int
    public var formatVersion: Int
    public var sections: [Section]
    public var manifest: ExecutableManifest
    public var recipe: EmbeddedRecipe?
    public var steps: Int
    /// Steps per op, and per planned kernel family ("fast", "reference").
    public var ops: [String: Int]
    public var kernelFamilies: [String: Int]
    public var arenaBytes: Int
    public var constantBytes: Int
    public var precision: String
    /// Required CPU features this CPU lacks (the file cannot run here when not empty).
    public var missingCPUFeatures: [String]

    /// Reads and checks the file's container and JSON sections.
    /// - Throws: as `EdgeflowModel(contentsOf:)` does for a damaged file.
    public init(contentsOf url: URL, cpu: CPUFeatures = .current) throws {
        let file = try EFXFile(contentsOf: url)
        self.file = file.label
        fileBytes = file.fileSize
        formatVersion = file.formatVersion
        sections = file.sectionInfos.map { Section(kind: $0.kind.tag, offset: $0.offset, bytes: $0.length) }
        manifest = try LoadedExecutable.decode(ExecutableManifest.self, .metadata, file)
        recipe = file.info(.recipe) == nil ? nil : try LoadedExecutable.decode(EmbeddedRecipe.self, .recipe, file)
        let program = try LoadedExecutable.decode(ExecutableProgram.self, .program, file)
        steps = program.plan.steps.count
        ops = Dictionary(program.plan.steps.map { ($0.op.rawValue, 1) }, uniquingKeysWith: +)
        kernelFamilies = Dictionary(program.plan.steps.map { ($0.kernel.rawValue, 1) }, uniquingKeysWith: +)
        arenaBytes = program.plan.arenaByteCount
        constantBytes = file.info(.weights)?.length ?? 0
        precision = program.plan.precision.rawValue
        missingCPUFeatures = cpu.missing(manifest.requiredCPUFeatures)
    }
}
