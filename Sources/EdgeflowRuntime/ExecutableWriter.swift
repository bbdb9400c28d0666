// Writes an .efx: META (manifest), PROG (plan and constant table), WGHT (every constant's
// bytes once, 64-byte aligned) and, when a recipe is embedded, RCPE — through EFExecutable's
// atomic container writer, so a failed write leaves nothing behind.

import EFCore
import EFExecutable
import EFRuntime
import Foundation

/// Writes executables.
public enum ExecutableWriter {
    /// Writes `plan` with its `constants` to `url` (replacing it atomically).
    /// - Throws: `EdgeflowError.io` when the file cannot be written; `.internalError` when the
    ///   plan names a constant that is not given.
    public static func write(plan: ProgramPlan, constants: [Tensor], manifest: ExecutableManifest,
                             recipe: EmbeddedRecipe?, to url: URL) throws {
        var weights = Data()
        var table: [ConstantDescriptor] = []
        var placed: [UnsafeMutableRawPointer: Int] = [:]
        for tensor in constants {
            let start = tensor.storage.pointer
            let offset: Int
            if let existing = placed[start] {
                offset = existing
            } else {
                offset = weights.count
                placed[start] = offset
                tensor.withUnsafeBytes { weights.append(contentsOf: $0) }
                let padding = (64 - weights.count % 64) % 64
                weights.append(Data(count: padding))
            }
            table.append(ConstantDescriptor(dtype: tensor.dtype, shape: tensor.shape, offset: offset,
                                            byteCount: tensor.byteCount))
        }
        let encoder = ExecutableJSON.encoder
        var sections = [
            EFXSection(kind: .metadata, bytes: try encoder.encode(manifest)),
            EFXSection(kind: .program, bytes: try encoder.encode(ExecutableProgram(plan: plan, constants: table))),
            EFXSection(kind: .weights, bytes: weights),
        ]
        if let recipe { sections.append(EFXSection(kind: .recipe, bytes: try encoder.encode(recipe))) }
        try EFXWriter.write(sections, to: url)
    }
}
