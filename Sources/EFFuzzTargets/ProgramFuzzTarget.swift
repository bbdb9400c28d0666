// The fuzz target of the program plan as untrusted data: the input is an executable's PROG
// JSON, wrapped with a META section that declares the plan's own inputs and outputs and a
// zero-filled WGHT section large enough for its constants (at most 4 MiB), all with correct
// checksums — so mutations reach the plan checks, the kernel building and one run instead of
// stopping at a checksum. Seeds: the PROG sections of the efx-model seeds.

import EFCore
import EFExecutable
import EFKernels
import EFRuntime
import EdgeflowRuntime
import Foundation

enum ProgramFuzzTarget {
    static let maxWeightBytes = 4 << 20

    static let program = FuzzTarget(name: "efx-program",
        summary: "PROG JSON → wrapped in a valid .efx with matching META and zero weights → EdgeflowModel, one run"
    ) { data in
        let program: ExecutableProgram
        do {
            program = try ExecutableJSON.decoder.decode(ExecutableProgram.self, from: data)
        } catch let error as EdgeflowError {
            throw error
        } catch {
            throw EdgeflowError(.invalidArchive, "PROG is not a program: \(error)")
        }
        let end = program.constants.reduce(0) { max($0, $1.offset &+ max($1.byteCount, 0)) }
        guard end >= 0, end <= maxWeightBytes else { return }
        let types = Dictionary(program.plan.values.map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a })
        func describe(_ names: [String]) throws -> [TensorDescriptor] {
            try names.map { name in
                guard let value = types[name] else { throw EdgeflowError(.invalidArchive, "no value '\(name)'") }
                return TensorDescriptor(name: name, dtype: value.dtype, shape: value.shape)
            }
        }
        let manifest = ExecutableManifest(
            modelName: "fuzz", inputs: try describe(program.plan.inputs), outputs: try describe(program.plan.outputs),
            requiredCPUFeatures: [], provenance: Provenance(sourceModel: nil, sourceModelSHA256: nil,
                                                            archiveStage: "fp-optimized", compileOptions: [:],
                                                            created: "2026-01-01T00:00:00Z"))
        let file = try EFXWriter.encode([
            EFXSection(kind: .metadata, bytes: try ExecutableJSON.encoder.encode(manifest)),
            EFXSection(kind: .program, bytes: data),
            EFXSection(kind: .weights, bytes: Data(count: end)),
        ])
        try ExecutableFuzzTarget.model.run(file)
    }
}
