// Shared helpers of the oneDNN kernel tests: seeded random operands, layout transposes, running
// a kernel on freshly allocated buffers, and the float comparison with a stated tolerance.

import EFCore
import EFKernels
import EFOneDNN
import EFTestSupport
import XCTest

/// Deterministic pseudo-random values (a 64-bit LCG), so failures reproduce.
struct SeededValues {
    private var state: UInt64

    init(seed: UInt64) { state = seed &* 2862933555777941757 &+ 3037000493 }

    mutating func next() -> UInt64 {
        state = state &* 6364136223846793005 &+ 1442695040888963407
        return state >> 33
    }

    /// Floats uniform in [-1, 1) with 3 decimals.
    mutating func floats(_ count: Int) -> [Float] {
        (0..<count).map { _ in Float(Int(next() % 2001) - 1000) / 1000 }
    }

    mutating func floatTensor(_ shape: [Int]) -> Tensor { Tensor(shape: shape, scalars: floats(shape.elementCount)) }

    mutating func integers(_ count: Int, in range: ClosedRange<Int>) -> [Int] {
        (0..<count).map { _ in range.lowerBound + Int(next() % UInt64(range.count)) }
    }
}

/// The permutation from [N, C, spatial...] to channels-last, and back.
func toChannelsLast(_ x: Tensor) throws -> Tensor {
    try Kernels.transpose(x, perm: [0] + Array(2..<x.rank) + [1])
}

func fromChannelsLast(_ x: Tensor, logicalShape: [Int]) throws -> Tensor {
    let physical = [logicalShape[0]] + logicalShape.dropFirst(2) + [logicalShape[1]]
    return try Kernels.transpose(x.reshaped(physical), perm: [0, x.rank - 1] + Array(1..<(x.rank - 1)))
}

/// Runs `execute` with the source's bytes, a destination initialised from `initial` (the
/// residual) or zeros, and a fresh scratchpad; returns the destination bytes as a tensor.
func runKernel(source: Tensor, outputShape: [Int], outputType: DType, initial: Tensor?, scratchpadByteCount: Int,
               _ execute: (UnsafeRawPointer, UnsafeMutableRawPointer, UnsafeMutableRawPointer?) throws -> Void) throws -> Tensor {
    let output = initial.map { residual in residual.withUnsafeBytes { Tensor(dtype: outputType, shape: outputShape, bytes: $0) } }
        ?? Tensor(zeros: outputType, shape: outputShape)
    let scratch = UnsafeMutableRawPointer.allocate(byteCount: max(scratchpadByteCount, 64), alignment: 64)
    defer { scratch.deallocate() }
    try source.withUnsafeBytes { src in
        try execute(src.baseAddress!, output.storage.pointer, scratchpadByteCount > 0 ? scratch : nil)
    }
    return output
}

/// Asserts |actual − expected| ≤ tolerance · max(1, max |expected|) elementwise.
func assertClose(_ actual: Tensor, _ expected: Tensor, relativeTolerance: Double, _ what: String,
                 file: StaticString = #filePath, line: UInt = #line) {
    XCTAssertEqual(actual.shape, expected.shape, what, file: file, line: line)
    let magnitude = max(1, expected.doubleValues().map(abs).max() ?? 0)
    let difference = maxAbsDifference(actual, expected)
    XCTAssertLessThanOrEqual(difference, relativeTolerance * magnitude,
                             "\(what): max difference \(difference) at magnitude \(magnitude)", file: file, line: line)
}

/// The reference epilogue: y + residual, then the unary fn (as LinearEvaluator.fusedEpilogue).
func referenceEpilogue(_ y: Tensor, residual: Tensor?, activation: (UnaryFunction, Float, Float)?) throws -> Tensor {
    var result = y
    if let residual { result = try Kernels.binary(.add, result, residual) }
    if let (fn, alpha, beta) = activation {
        result = try Kernels.unary(fn, result, UnaryParameters(alpha: alpha, beta: beta))
    }
    return result
}

/// Why bf16 cases skip on some machines.
let bf16SkipReason = "oneDNN 2.6 has no bf16 kernels on ISA \(DNNLEngine.effectiveISA) (they need AVX-512/AMX); "
    + "testBFloat16IsRefusedCleanlyWithoutHardwareSupport checks the .unsupported error instead"
