// The process-wide oneDNN CPU engine, with the library version and the instruction set oneDNN
// dispatches to. Threads are not set here: oneDNN runs on libgomp's OpenMP pool, sized by
// `Parallel.setThreadCount` (EFKernels) / OMP_NUM_THREADS like every other Edgeflow kernel.

import CDNNL
import EFCore

/// The one oneDNN CPU engine of the process. Streams are made per execution context (see
/// `PrimitiveRunner`), so the engine itself is immutable and shared freely across threads.
public final class DNNLEngine: @unchecked Sendable {
    let engine: dnnl_engine_t

    private init(engine: dnnl_engine_t) { self.engine = engine }

    deinit { dnnl_engine_destroy(engine) }

    private static let created: Result<DNNLEngine, EdgeflowError> = {
        var engine: dnnl_engine_t?
        let status = dnnl_engine_create(&engine, dnnl_cpu, 0)
        guard status == dnnl_success, let engine else {
            return .failure(EdgeflowError(.unsupported, "oneDNN could not create a CPU engine (\(statusName(status)))",
                                          hint: "use the reference kernels"))
        }
        return .success(DNNLEngine(engine: engine))
    }()

    /// The shared engine, created on first use.
    /// - Throws: `EdgeflowError.unsupported` when oneDNN cannot create a CPU engine.
    public static func shared() throws -> DNNLEngine { try created.get() }

    /// The library version, e.g. "2.6.3".
    public static var libraryVersion: String {
        guard let v = dnnl_version()?.pointee else { return "unknown" }
        return "\(v.major).\(v.minor).\(v.patch)"
    }

    /// True when oneDNN has bf16 kernels on this machine (AVX-512 or AMX; oneDNN 2.6 has none
    /// for AVX2, where `.bf16` kernels throw `.unsupported`). Probed once with a tiny matmul.
    public static let supportsBF16: Bool = {
        guard let engine = try? shared(), let attributes = try? PrimitiveAttributes(),
              let a = try? MemoryDescriptors.dense([16, 16], .bf16), let c = try? MemoryDescriptors.dense([16, 16], .f32)
        else { return false }
        return (try? PrimitiveDescriptor.matMul(source: a, weights: a, bias: nil, destination: c, attributes: attributes,
                                                engine: engine, what: "bf16 probe")) != nil
    }()

    /// True when oneDNN's int8 kernels multiply with VNNI or AMX (exact int32 sums). Without
    /// them oneDNN's fast int8 kernels are exact only for weights in −64...64; int8 kernels
    /// with full-range weights then run oneDNN's (slow, exact) reference implementation.
    public static let hasExactInt8Kernels: Bool = {
        ["avx512_core_vnni", "avx512_core_bf16", "avx512_core_amx", "avx2_vnni"].contains(effectiveISA)
    }()

    /// The instruction set oneDNN dispatches to on this machine (after any
    /// `ONEDNN_MAX_CPU_ISA` cap), e.g. "avx512_core_amx", "avx2".
    public static var effectiveISA: String {
        let isa = dnnl_get_effective_cpu_isa()
        let names: [(dnnl_cpu_isa_t, String)] = [
            (dnnl_cpu_isa_all, "all"), (dnnl_cpu_isa_sse41, "sse41"), (dnnl_cpu_isa_avx, "avx"),
            (dnnl_cpu_isa_avx2, "avx2"), (dnnl_cpu_isa_avx2_vnni, "avx2_vnni"),
            (dnnl_cpu_isa_avx512_mic, "avx512_mic"), (dnnl_cpu_isa_avx512_mic_4ops, "avx512_mic_4ops"),
            (dnnl_cpu_isa_avx512_core, "avx512_core"), (dnnl_cpu_isa_avx512_core_vnni, "avx512_core_vnni"),
            (dnnl_cpu_isa_avx512_core_bf16, "avx512_core_bf16"), (dnnl_cpu_isa_avx512_core_amx, "avx512_core_amx"),
        ]
        return names.first { $0.0 == isa }?.1 ?? "isa 0x\(String(isa.rawValue, radix: 16))"
    }
}

/// A readable name for a oneDNN status code (dnnl_debug.h is not part of the CDNNL module).
func statusName(_ status: dnnl_status_t) -> String {
    switch status {
    case dnnl_success: return "success"
    case dnnl_out_of_memory: return "out of memory"
    case dnnl_invalid_arguments: return "invalid arguments"
    case dnnl_unimplemented: return "unimplemented"
    case dnnl_iterator_ends: return "iterator ends"
    case dnnl_runtime_error: return "runtime error"
    case dnnl_not_required: return "not required"
    default: return "status \(status.rawValue)"
    }
}

/// Throws `EdgeflowError.unsupported` naming `what` when a oneDNN call failed.
func check(_ status: dnnl_status_t, _ what: @autoclosure () -> String) throws {
    guard status == dnnl_success else {
        throw EdgeflowError(.unsupported, "oneDNN \(what()): \(statusName(status))",
                            hint: "run this op with the reference kernel")
    }
}
