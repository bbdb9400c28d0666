// EFKernels' streaming SIMD kernels compiled a second time, for AVX-512. The other files of
// this module are symbolic links to EFKernels/Fast sources (activations and the math behind
// them, int8 epilogues, u8 quantize, softmax, layer normalization): Package.swift builds them
// here with `-target-cpu skylake-avx512` (AVX-512 F/CD/BW/DQ/VL, AVX2, FMA, BMI2), so the same
// source runs on 256-bit registers with AVX-512 masks instead of SSE2 pairs. Symbols carry this
// module's name, so the linker never mixes the two builds. Same source and IEEE operations
// (Swift never contracts a·b + c into an FMA): the bytes equal the baseline build's, which
// WideKernelsTests checks.
//
// Nothing here checks the CPU: on a CPU without AVX-512 these functions die with SIGILL. Only
// EFRuntime's `SIMDKernels` calls them, after checking /proc/cpuinfo. Use it qualified
// (`EFKernelsAVX512.FastKernels`), as its names repeat EFKernels'.

import EFKernels

public typealias UnaryFunction = EFKernels.UnaryFunction
public typealias UnaryParameters = EFKernels.UnaryParameters
public typealias BinaryFunction = EFKernels.BinaryFunction
public typealias EpilogueStage = EFKernels.FastKernels.EpilogueStage
public typealias EpilogueChain = EFKernels.FastKernels.EpilogueChain
public typealias FixedPointOutput = EFKernels.FixedPointOutput
typealias Parallel = EFKernels.Parallel
