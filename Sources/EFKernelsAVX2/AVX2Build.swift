// EFKernels' streaming SIMD kernels compiled a second time, for AVX2: the other files of this
// module are symbolic links to EFKernels/Fast sources, built here with `-target-cpu haswell`
// (AVX2, FMA, BMI2, F16C). The same arrangement as EFKernelsAVX512 (see AVX512Build.swift
// there): this module's own symbols, the same bytes as the baseline build (WideKernelsTests),
// no CPU check inside; only EFRuntime's `SIMDKernels` calls it, on a CPU with these features.

import EFKernels

public typealias UnaryFunction = EFKernels.UnaryFunction
public typealias UnaryParameters = EFKernels.UnaryParameters
public typealias BinaryFunction = EFKernels.BinaryFunction
public typealias EpilogueStage = EFKernels.FastKernels.EpilogueStage
public typealias EpilogueChain = EFKernels.FastKernels.EpilogueChain
public typealias FixedPointOutput = EFKernels.FixedPointOutput
typealias Parallel = EFKernels.Parallel
