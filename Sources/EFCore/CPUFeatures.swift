// The instruction-set features of the CPU this process runs on, from /proc/cpuinfo's flags
// (Linux names: avx2, fma, avx512f, avx512_vnni, avx512_bf16, amx_tile...). Executables list
// the features they need; the runtime refuses to load one whose features are missing.

import Foundation

/// A set of CPU feature flags.
public struct CPUFeatures: Sendable, Equatable {
    /// Lowercase flag names.
    public let flags: Set<String>
    /// The CPU's model name ("" when unknown).
    public let modelName: String

    public init(flags: Set<String>, modelName: String = "") {
        self.flags = Set(flags.map { $0.lowercased() })
        self.modelName = modelName
    }

    /// Parses the text of /proc/cpuinfo (the first processor's "flags" and "model name" lines).
    public init(cpuinfo text: String) {
        var flags: Set<String> = [], model = ""
        for line in text.split(separator: "\n") {
            let parts = line.split(separator: ":", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            guard parts.count == 2 else { continue }
            if parts[0] == "flags", flags.isEmpty { flags = Set(parts[1].split(separator: " ").map(String.init)) }
            if parts[0] == "model name", model.isEmpty { model = parts[1] }
        }
        self.init(flags: flags, modelName: model)
    }

    /// This machine's features (empty when /proc/cpuinfo cannot be read).
    public static let current: CPUFeatures = {
        let text = (try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8)) ?? ""
        return CPUFeatures(cpuinfo: text)
    }()

    /// The flags code compiled with `-target-cpu haswell` may use (AVX2, FMA, BMI, F16C…).
    public static let haswellFlags = ["avx", "avx2", "fma", "bmi1", "bmi2", "movbe", "f16c", "abm", "popcnt"]

    /// The flags code compiled with `-target-cpu skylake-avx512` may use.
    public static let skylakeAVX512Flags = haswellFlags + ["avx512f", "avx512cd", "avx512bw", "avx512dq", "avx512vl"]

    /// The names in `required` this CPU lacks, in the given order.
    public func missing(_ required: [String]) -> [String] {
        required.filter { !flags.contains($0.lowercased()) }
    }
}
