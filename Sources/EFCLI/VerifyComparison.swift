// The parts of `edgeflow verify`: seeded random inputs for declared tensors, the byte comparison
// of two runs' outputs, and the report (text and JSON).

import EFCore
import EFProfiler
import EdgeflowRuntime
import Foundation

/// Seeded random tensors: floats uniform in a range, uint8 any byte, integers uniform in a range
/// (inclusive), bools either; the same sequence for the same seed.
struct RandomInputs {
    private var random: SplitMix64
    let floats: (Double, Double)
    let integers: (Int64, Int64)

    init(seed: UInt64, floats: (Double, Double), integers: (Int64, Int64)) {
        random = SplitMix64(seed: seed)
        (self.floats, self.integers) = (floats, integers)
    }

    /// One tensor per declared input.
    /// - Throws: `EdgeflowError.unsupported` for an input dtype it cannot make (float16, …).
    mutating func next(for inputs: [TensorDescriptor]) throws -> [String: Tensor] {
        var tensors: [String: Tensor] = [:]
        for input in inputs {
            let count = input.shape.reduce(1, *)
            switch input.dtype {
            case .float32:
                let (low, span) = (Float(floats.0), Float(floats.1 - floats.0))
                tensors[input.name] = Tensor(shape: input.shape,
                                             scalars: (0..<count).map { _ in low + span * random.unit() })
            case .uint8:
                tensors[input.name] = Tensor(shape: input.shape,
                                             scalars: (0..<count).map { _ in UInt8(truncatingIfNeeded: random.next()) })
            case .int32:
                tensors[input.name] = Tensor(shape: input.shape, scalars: (0..<count).map { _ in Int32(integer()) })
            case .int64:
                tensors[input.name] = Tensor(shape: input.shape, scalars: (0..<count).map { _ in integer() })
            case .bool:
                tensors[input.name] = Tensor(shape: input.shape,
                                             scalars: (0..<count).map { _ in random.next() & 1 == 1 })
            default:
                throw EdgeflowError(.unsupported, "input '\(input.name)' is \(input.dtype.rawValue): verify makes "
                                        + "random float32, uint8, int32, int64 and bool inputs",
                                    hint: "give the inputs as files: --random 0 --input \(input.name)=FILE.npy")
            }
        }
        return tensors
    }

    /// Uniform in `integers` (clamped to Int32 for int32 inputs by the caller's range).
    private mutating func integer() -> Int64 {
        let span = UInt64(bitPattern: integers.1 &- integers.0) &+ 1
        return integers.0 &+ Int64(bitPattern: span == 0 ? random.next() : random.next() % span)
    }
}

/// Differences between the emulator's and the executable's outputs, per output.
struct OutputComparison {
    struct Result: Encodable {
        var output: String
        /// Runs in which at least one byte of this output differed.
        var differingRuns = 0
        var differingBytes = 0
        /// Largest |emulated − ran| over float32 outputs (0 when equal or not float).
        var maxAbsDifference: Double = 0
    }

    private(set) var results: [Result]

    init(outputs: [String]) { results = outputs.map { Result(output: $0) } }

    /// Adds one run's outputs.
    /// - Throws: `EdgeflowError.internalError` when a run lacks an output or gives another shape.
    mutating func add(emulated: [String: Tensor], ran: [String: Tensor]) throws {
        for index in results.indices {
            let name = results[index].output
            guard let a = emulated[name], let b = ran[name], a.dtype == b.dtype, a.shape == b.shape else {
                throw EdgeflowError(.internalError, "output '\(name)' is missing or differs in type between the "
                                        + "emulator and the executable")
            }
            let bytes = a.withUnsafeBytes { x in b.withUnsafeBytes { y in zip(x, y).filter { $0 != $1 }.count } }
            guard bytes > 0 else { continue }
            results[index].differingRuns += 1
            results[index].differingBytes += bytes
            if a.dtype == .float32 {
                let largest = zip(a.scalars(as: Float.self), b.scalars(as: Float.self))
                    .map { Double(abs($0 - $1)) }.max() ?? 0
                results[index].maxAbsDifference = max(results[index].maxAbsDifference, largest)
            }
        }
    }
}

/// What `edgeflow verify` found.
struct VerifyReport: Encodable {
    var archive: String
    var executable: String
    /// Runs compared: the --input files (if any) and the random ones.
    var runs: Int
    var randomRuns: Int
    var seed: UInt64
    var outputs: [OutputComparison.Result]
    /// The CPU and any caps on the instruction sets (ONEDNN_MAX_CPU_ISA, EDGEFLOW_SIMD) the runs had.
    var cpu = Self.describeCPU()
    /// Every output byte equal in every run.
    let equal: Bool

    init(archive: String, executable: String, runs: Int, randomRuns: Int, seed: UInt64,
         outputs: [OutputComparison.Result]) {
        (self.archive, self.executable, self.runs, self.randomRuns) = (archive, executable, runs, randomRuns)
        (self.seed, self.outputs) = (seed, outputs)
        equal = outputs.allSatisfy { $0.differingBytes == 0 }
    }

    private static func describeCPU() -> String {
        let peak = CPUPeak.current()
        let environment = ProcessInfo.processInfo.environment
        let caps = [environment["ONEDNN_MAX_CPU_ISA"].map { "oneDNN capped at \($0)" },
                    environment["EDGEFLOW_SIMD"].map { "Edgeflow's SIMD build capped at \($0)" }].compactMap { $0 }
        return ([peak.modelName, peak.isaSummary] + caps).joined(separator: ", ")
    }

    func printText() {
        print("\(executable) against the quantized emulator of \(archive): \(runs) run(s) (\(randomRuns) random, "
              + "seed \(seed)) on \(cpu)")
        for output in outputs {
            let detail = output.differingBytes == 0 ? "0 differing bytes"
                : "\(output.differingBytes) differing bytes in \(output.differingRuns) run(s)"
                    + (output.maxAbsDifference > 0 ? String(format: ", max |difference| %g", output.maxAbsDifference)
                       : "")
            print("  \(output.output): \(detail)")
        }
        print(equal ? "equal byte for byte" : "the executable differs from the emulator")
    }
}
