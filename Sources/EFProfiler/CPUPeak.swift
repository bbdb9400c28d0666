// The CPU a profile was taken on and its nominal fp32 peak: model name and ISA flags read from
// /proc/cpuinfo, FLOP per cycle per core from the vector features, clock from "cpu MHz".

import Foundation

/// A CPU's description and its estimated single-core fp32 peak.
///
/// The estimate is `flopsPerCycle × clockMHz / 1000` GFLOP/s per core, with FLOP per cycle
/// from the features: AVX-512 with FMA counts 2 FMA units × 16 lanes × 2 = 64, AVX2 with FMA
/// 2 × 8 × 2 = 32, anything else 8. It is a nominal figure (turbo, AVX-512 down-clocking and
/// single-FMA-port parts are not modelled), meant for "percent of peak" columns.
public struct CPUPeak: Codable, Sendable, Equatable {
    /// The "model name" line of /proc/cpuinfo, or "unknown CPU".
    public var modelName: String
    /// The ISA flags that matter for neural-network kernels, in a fixed order (e.g. `avx2`, `fma`,
    /// `avx512f`, `avx512_vnni`, `avx512_bf16`, `amx_tile`); only those the CPU has.
    public var isaFlags: [String]
    /// Single-precision FLOP per cycle per core: 64, 32 or 8 (see the type's documentation).
    public var flopsPerCycle: Int
    /// The clock in MHz: the largest "cpu MHz" value in /proc/cpuinfo, else the "@ 2.20GHz" of
    /// the model name, else 0 (peak unknown).
    public var clockMHz: Double
    /// Logical processors listed in /proc/cpuinfo (at least 1).
    public var logicalCPUs: Int

    /// The flags reported in `isaFlags`, in this order.
    public static let reportedFlags = [
        "sse4_2", "avx", "f16c", "fma", "avx2", "avx_vnni", "avx512f", "avx512bw", "avx512vl",
        "avx512_vnni", "avx512_bf16", "avx512_fp16", "amx_tile", "amx_bf16", "amx_int8", "asimd", "sve",
    ]

    /// A description from explicit values; `flopsPerCycle` follows from `isaFlags`.
    public init(modelName: String, isaFlags: [String], clockMHz: Double, logicalCPUs: Int = 1) {
        self.modelName = modelName
        self.isaFlags = isaFlags
        self.clockMHz = clockMHz.isFinite && clockMHz > 0 ? clockMHz : 0
        self.logicalCPUs = max(1, logicalCPUs)
        let has = Set(isaFlags)
        if has.contains("avx512f") && has.contains("fma") {
            flopsPerCycle = 64
        } else if has.contains("avx2") && has.contains("fma") {
            flopsPerCycle = 32
        } else {
            flopsPerCycle = 8
        }
    }

    /// Parses the text of /proc/cpuinfo (x86 "flags" or Arm "Features" lines).
    public init(cpuinfo text: String) {
        var model: String?
        var flags = Set<String>()
        var mhz: Double = 0
        var processors = 0
        for line in text.split(separator: "\n", omittingEmptySubsequences: true) {
            guard let colon = line.firstIndex(of: ":") else { continue }
            let key = line[..<colon].trimmingCharacters(in: .whitespaces)
            let value = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
            switch key {
            case "processor": processors += 1
            case "model name" where model == nil && !value.isEmpty: model = value
            case "flags", "Features": flags.formUnion(value.split(separator: " ").map(String.init))
            case "cpu MHz": if let v = Double(value), v.isFinite, v > mhz { mhz = v }
            default: break
            }
        }
        let name = model ?? "unknown CPU"
        if mhz == 0 { mhz = CPUPeak.nominalMHz(in: name) }
        self.init(modelName: name, isaFlags: CPUPeak.reportedFlags.filter(flags.contains),
                  clockMHz: mhz, logicalCPUs: processors)
    }

    /// The CPU this process runs on, from /proc/cpuinfo (an "unknown CPU" with no peak where
    /// that file does not exist).
    public static func current() -> CPUPeak {
        let text = (try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8)) ?? ""
        return CPUPeak(cpuinfo: text)
    }

    /// Estimated fp32 GFLOP/s of one core; 0 when the clock is unknown.
    public var coreGFLOPS: Double { Double(flopsPerCycle) * clockMHz / 1000 }

    /// Estimated fp32 GFLOP/s of `threads` cores.
    public func peakGFLOPS(threads: Int) -> Double { coreGFLOPS * Double(max(1, threads)) }

    /// A one-line summary of the vector ISA, e.g. "AVX-512 + FMA (64 FLOP/cycle)".
    public var isaSummary: String {
        let has = Set(isaFlags)
        var parts: [String] = []
        if has.contains("avx512f") {
            parts.append("AVX-512")
        } else if has.contains("avx2") {
            parts.append("AVX2")
        } else if has.contains("avx") {
            parts.append("AVX")
        } else if has.contains("asimd") {
            parts.append("NEON")
        } else if has.contains("sse4_2") {
            parts.append("SSE4.2")
        }
        if has.contains("fma") { parts.append("FMA") }
        if has.contains("avx512_vnni") || has.contains("avx_vnni") { parts.append("VNNI") }
        if has.contains("avx512_bf16") || has.contains("amx_bf16") { parts.append("BF16") }
        if has.contains("amx_tile") { parts.append("AMX") }
        let isa = parts.isEmpty ? "scalar" : parts.joined(separator: " + ")
        return "\(isa) (\(flopsPerCycle) FLOP/cycle)"
    }

    /// The clock written in a model name such as "Intel(R) Xeon(R) CPU @ 2.20GHz", in MHz, or 0.
    static func nominalMHz(in name: String) -> Double {
        guard let at = name.range(of: "@", options: .backwards) else { return 0 }
        let rest = name[at.upperBound...].trimmingCharacters(in: .whitespaces).lowercased()
        guard rest.hasSuffix("ghz"), let ghz = Double(rest.dropLast(3).trimmingCharacters(in: .whitespaces)),
              ghz.isFinite, ghz > 0 else { return 0 }
        return ghz * 1000
    }
}
