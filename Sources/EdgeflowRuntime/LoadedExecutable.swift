// Reads an .efx into a runnable program: the container is mapped and checked (EFExecutable),
// the JSON sections decoded, the constants made views of the mapped WGHT section (never
// copied; oneDNN packs its own copy for this CPU at load), the CPU features checked, and the
// plan built by EFRuntime's ProgramBuilder, which checks it as untrusted data.

import EFCore
import EFExecutable
import EFRuntime
import Foundation

/// A loaded executable: the mapping, what it declares, and the program built for this CPU.
final class LoadedExecutable: @unchecked Sendable {
    let file: EFXFile
    let manifest: ExecutableManifest
    let recipe: EmbeddedRecipe?
    let program: Program
    let fallbacks: [StepFallback]

    /// - Parameter cpu: the CPU to check the required features against (tests simulate others).
    /// - Throws: `EdgeflowError.invalidArchive` for a damaged or inconsistent file (naming the
    ///   section), `.unsupported` for a CPU that lacks a required feature, `.io` when unreadable.
    init(file: EFXFile, cpu: CPUFeatures = .current, budget: MemoryBudget) throws {
        self.file = file
        manifest = try Self.decode(ExecutableManifest.self, .metadata, file)
        guard manifest.format == ExecutableManifest.formatName else {
            throw EdgeflowError(.invalidArchive, "\(file.label): section META (metadata): format is "
                + "'\(manifest.format)', not '\(ExecutableManifest.formatName)'")
        }
        let missing = cpu.missing(manifest.requiredCPUFeatures)
        guard missing.isEmpty else {
            throw EdgeflowError(.unsupported,
                "\(file.label) needs CPU features this CPU (\(cpu.modelName.isEmpty ? "unknown" : cpu.modelName)) "
                    + "lacks: "
                    + missing.joined(separator: ", "),
                hint: "compile the archive again for this machine (edgeflow compile), e.g. with --precision float32")
        }
        let program = try Self.decode(ExecutableProgram.self, .program, file)
        recipe = file.info(.recipe) == nil ? nil : try Self.decode(EmbeddedRecipe.self, .recipe, file)
        let constants = try Self.constants(program.constants, file)
        // A deferred weight checksum (EdgeflowModel(contentsOf:)) runs beside the kernel building
        // and is awaited before the program is handed out.
        let verification = Self.verifyInBackground(file, .weights)
        try Self.checkContract(manifest, program.plan, file.label)
        try budget.check(program.plan.arenaByteCount, for: "the arena of \(file.label)")
        do {
            let built = Result { try ProgramBuilder.build(program.plan, constants: constants) }
            try verification()
            (self.program, fallbacks) = try built.get()
            try budget.check(CheckedSize.add(self.program.arenaByteCount, self.program.scratchpadByteCount,
                                             "arena and scratchpad"), for: "the arena and scratchpad of \(file.label)")
        } catch let error as EdgeflowError where error.kind == .invalidModel {
            throw EdgeflowError(.invalidArchive, "\(file.label): section PROG (program): \(error.message)")
        }
    }

    /// Starts verifying `kind` on another thread; the returned function waits and rethrows.
    private static func verifyInBackground(_ file: EFXFile, _ kind: EFXSectionKind) -> () throws -> Void {
        let group = DispatchGroup()
        nonisolated(unsafe) var failure: Error?
        DispatchQueue.global(qos: .userInitiated).async(group: group) {
            do { try file.verify(kind) } catch { failure = error }
        }
        return {
            group.wait()
            if let failure { throw failure }
        }
    }

    static func decode<T: Decodable>(_ type: T.Type, _ kind: EFXSectionKind, _ file: EFXFile) throws -> T {
        guard let data = file.sectionData(kind) else {
            throw EdgeflowError(.invalidArchive, "\(file.label) has no \(kind) section",
                                hint: "the file is not a complete Edgeflow executable; compile it again")
        }
        do {
            return try ExecutableJSON.decoder.decode(T.self, from: data)
        } catch let error as EdgeflowError {
            throw EdgeflowError(.invalidArchive, "\(file.label): section \(kind): \(error.message)")
        } catch {
            throw EdgeflowError(.invalidArchive, "\(file.label): section \(kind) is not valid JSON of its kind: "
                + "\(String(describing: error).prefix(300))")
        }
    }

    /// The constants as tensors viewing the mapped WGHT section.
    private static func constants(_ table: [ConstantDescriptor], _ file: EFXFile) throws -> [Tensor] {
        guard let weights = file.section(.weights) else {
            throw EdgeflowError(.invalidArchive, "\(file.label) has no WGHT section")
        }
        let base = weights.baseAddress.map { UnsafeMutableRawPointer(mutating: $0) }
        return try table.enumerated().map { index, constant in
            let what = "\(file.label): constant \(index)"
            try CheckedSize.shape(constant.shape, what, kind: .invalidArchive)
            let bytes = try CheckedSize.byteCount(constant.shape,
                                                  constant.dtype, what, kind: .invalidArchive)
            guard bytes == constant.byteCount, constant.offset >= 0, constant.offset % 64 == 0,
                  constant.offset <= weights.count, bytes <= weights.count - constant.offset, let base else {
                throw EdgeflowError(.invalidArchive, "\(what) (\(constant.byteCount) bytes at \(constant.offset)) does "
                    + "not fit section WGHT (weights, \(weights.count) bytes) or its shape")
            }
            // Read-only mapping: the program builder guarantees no step writes a constant.
            let storage = TensorStorage(borrowing: base + constant.offset, byteCount: bytes)
            return Tensor(dtype: constant.dtype, shape: constant.shape, storage: storage)
        }
    }

    /// The manifest's inputs and outputs must be the plan's.
    private static func checkContract(_ manifest: ExecutableManifest, _ plan: ProgramPlan, _ label: String) throws {
        let types = Dictionary(plan.values.map { ($0.name, ($0.dtype, $0.shape)) }, uniquingKeysWith: { a, _ in a })
        let pairs = [(manifest.inputs, plan.inputs, "inputs"), (manifest.outputs, plan.outputs, "outputs")]
        for (declared, planned, role) in pairs {
            guard declared.map(\.name) == planned,
                  declared.allSatisfy({ d in types[d.name].map { $0.0 == d.dtype && $0.1 == d.shape } ?? false }) else {
                throw EdgeflowError(.invalidArchive, "\(label): the \(role) in META and PROG disagree")
            }
        }
    }
}
