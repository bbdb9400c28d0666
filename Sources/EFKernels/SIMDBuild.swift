// Which build of the streaming SIMD kernels this process runs: the AVX-512 one
// (EFKernelsAVX512) or the AVX2 one (EFKernelsAVX2), the same sources compiled for those
// instruction sets, when the CPU has every feature the build may use; else the baseline x86-64
// one in EFKernels. All give the same bytes. `EDGEFLOW_SIMD=baseline` or `=avx2` in the
// environment caps the choice (the tests use it to cover every build on one machine). Callers
// (EFRuntime's SIMDKernels, EFSearch's vector scan) switch on `SIMDBuild.current`.

import EFCore
import Foundation

public enum SIMDBuild: String, CaseIterable, Sendable {
    case baseline = "sse2", avx2, avx512

    /// The /proc/cpuinfo flags its `-target-cpu` (haswell, skylake-avx512) may use.
    public var features: [String] {
        switch self {
        case .baseline: return []
        case .avx2: return CPUFeatures.haswellFlags
        case .avx512: return CPUFeatures.skylakeAVX512Flags
        }
    }

    /// The build this process runs: the widest the CPU has, at most `EDGEFLOW_SIMD`.
    public static let current: SIMDBuild = {
        let cap = ProcessInfo.processInfo.environment["EDGEFLOW_SIMD"].flatMap {
            $0 == "baseline" ? .baseline : SIMDBuild(rawValue: $0)
        } ?? .avx512
        let allowed = allCases.prefix(through: allCases.firstIndex(of: cap)!)
        return allowed.last { CPUFeatures.current.missing($0.features).isEmpty } ?? .baseline
    }()
}
