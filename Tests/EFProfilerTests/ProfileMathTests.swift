// The profile's arithmetic on hand-checkable numbers: medians, min/max, GFLOP/s, percent of
// peak, the CPU peak from /proc/cpuinfo text, and the JSON round trip.

import EFCore
import EFProfiler
import Foundation
import XCTest

final class ProfileMathTests: XCTestCase {
    static let avx512Info = """
    processor\t: 0
    model name\t: Intel(R) Xeon(R) Platinum 8375C CPU @ 2.90GHz
    cpu MHz\t\t: 2900.000
    flags\t\t: fpu sse4_2 avx avx2 fma avx512f avx512bw avx512_vnni

    processor\t: 1
    model name\t: Intel(R) Xeon(R) Platinum 8375C CPU @ 2.90GHz
    cpu MHz\t\t: 3100.000
    flags\t\t: fpu sse4_2 avx avx2 fma avx512f avx512bw avx512_vnni
    """

    func testMedianOfOddAndEvenCounts() {
        XCTAssertEqual(ProfileMath.median([]), 0)
        XCTAssertEqual(ProfileMath.median([7]), 7)
        XCTAssertEqual(ProfileMath.median([30, 10, 20]), 20)
        XCTAssertEqual(ProfileMath.median([40, 10, 30, 20]), 25)
        XCTAssertEqual(ProfileMath.median([1, 2]), 1, "the mean of the middle two, rounded down")
        XCTAssertEqual(ProfileMath.median([UInt64.max, UInt64.max]), UInt64.max, "no overflow")
    }

    func testGFLOPSIsTwoMACsPerNanosecond() {
        XCTAssertEqual(ProfileMath.gflops(macs: 1_000, nanoseconds: 100), 20)
        XCTAssertEqual(ProfileMath.gflops(macs: 5, nanoseconds: 0), 0)
    }

    func testPeakFromCPUInfoUsesTheWidestFMAAndTheHighestClock() {
        let cpu = CPUPeak(cpuinfo: Self.avx512Info)
        XCTAssertEqual(cpu.modelName, "Intel(R) Xeon(R) Platinum 8375C CPU @ 2.90GHz")
        XCTAssertEqual(cpu.flopsPerCycle, 64)
        XCTAssertEqual(cpu.clockMHz, 3100)
        XCTAssertEqual(cpu.logicalCPUs, 2)
        XCTAssertEqual(cpu.coreGFLOPS, 198.4, accuracy: 1e-9)
        XCTAssertEqual(cpu.peakGFLOPS(threads: 2), 396.8, accuracy: 1e-9)
        XCTAssertEqual(cpu.isaFlags, ["sse4_2", "avx", "fma", "avx2", "avx512f", "avx512bw", "avx512_vnni"])
        XCTAssertEqual(cpu.isaSummary, "AVX-512 + FMA + VNNI (64 FLOP/cycle)")
    }

    func testPeakForAVX2AndForCPUsWithoutFMA() {
        let avx2 = CPUPeak(cpuinfo: "model name : Some CPU\ncpu MHz : 2000\nflags : avx avx2 fma\n")
        XCTAssertEqual(avx2.flopsPerCycle, 32)
        XCTAssertEqual(avx2.coreGFLOPS, 64, accuracy: 1e-9)
        let avx512NoFMA = CPUPeak(modelName: "x", isaFlags: ["avx512f"], clockMHz: 1000)
        XCTAssertEqual(avx512NoFMA.flopsPerCycle, 8)
        let arm = CPUPeak(cpuinfo: "processor : 0\nFeatures : fp asimd\n")
        XCTAssertEqual(arm.modelName, "unknown CPU")
        XCTAssertEqual(arm.flopsPerCycle, 8)
        XCTAssertEqual(arm.coreGFLOPS, 0, "no clock, no peak")
        XCTAssertEqual(arm.isaSummary, "NEON (8 FLOP/cycle)")
    }

    func testClockFallsBackToTheModelName() {
        let cpu = CPUPeak(cpuinfo: "model name : Intel(R) Xeon(R) CPU @ 2.20GHz\nflags : avx2 fma\n")
        XCTAssertEqual(cpu.clockMHz, 2200, accuracy: 1e-9)
        XCTAssertEqual(cpu.coreGFLOPS, 70.4, accuracy: 1e-9)
    }

    func testBuilderComputesMediansMinMaxRatesAndTotals() throws {
        let cpu = CPUPeak(modelName: "test", isaFlags: ["avx2", "fma"], clockMHz: 1000)  // 32 GFLOP/s per core
        var builder = ProfileBuilder(model: "m", cpu: cpu, threads: 2)
        builder.addStep(.init(name: "conv1", op: "conv", kernel: "onednn", layout: "nhwc", macs: 3_200,
                              bytesMoved: 400))
        builder.addStep(.init(name: "relu", op: "relu", kernel: "simd"))
        try builder.recordRun(stepNanoseconds: [100, 10], totalNanoseconds: 120)
        try builder.recordRun(stepNanoseconds: [300, 30], totalNanoseconds: 400)
        try builder.recordRun(stepNanoseconds: [200, 20], totalNanoseconds: 250)
        XCTAssertThrowsError(try builder.recordRun(stepNanoseconds: [1])) { error in
            XCTAssertEqual((error as? EdgeflowError)?.kind, .internalError)
        }
        let report = try builder.build()
        XCTAssertEqual(report.runs, 3)
        XCTAssertEqual(report.threads, 2)
        XCTAssertEqual(report.corePeakGFLOPS, 32)
        XCTAssertEqual(report.peakGFLOPS, 64)
        XCTAssertEqual([report.totalMedianNanoseconds, report.totalMinNanoseconds, report.totalMaxNanoseconds],
                       [250, 120, 400])
        let conv = report.steps[0]
        XCTAssertEqual([conv.medianNanoseconds, conv.minNanoseconds, conv.maxNanoseconds], [200, 100, 300])
        XCTAssertEqual(conv.achievedGFLOPS, 32, accuracy: 1e-12)  // 6400 FLOP in 200 ns
        XCTAssertEqual(try XCTUnwrap(conv.percentOfPeak), 50, accuracy: 1e-12)  // of 2 × 32
        XCTAssertEqual(conv.layout, "nhwc")
        XCTAssertEqual(conv.bytesMoved, 400)
        let relu = report.steps[1]
        XCTAssertEqual(relu.index, 1)
        XCTAssertEqual(relu.medianNanoseconds, 20)
        XCTAssertEqual(relu.achievedGFLOPS, 0)
        XCTAssertEqual(relu.precision, "f32")
        XCTAssertEqual(report.stepsMedianNanoseconds, 220)
        XCTAssertEqual(report.slowestSteps(1).map(\.name), ["conv1"])
    }

    func testRunTotalDefaultsToTheSumOfItsStepsAndUnknownPeakGivesNoPercent() throws {
        var builder = ProfileBuilder(model: "m", cpu: CPUPeak(cpuinfo: ""), threads: 1)
        builder.addStep(.init(name: "a", op: "add", kernel: "simd", macs: 10))
        XCTAssertThrowsError(try builder.build(), "no run recorded")
        try builder.recordRun(stepNanoseconds: [5])
        let report = try builder.build()
        XCTAssertEqual(report.totalMedianNanoseconds, 5)
        XCTAssertNil(report.steps[0].percentOfPeak)
    }

    func testJSONRoundTripKeepsEveryField() throws {
        let report = try ProfileFixtures.report(steps: 6)
        let json = try report.jsonData()
        XCTAssertEqual(try ProfileReport.decode(json: json), report)
        let text = try XCTUnwrap(String(data: json, encoding: .utf8))
        for key in ["\"medianNanoseconds\"", "\"percentOfPeak\"", "\"corePeakGFLOPS\"", "\"isaFlags\"",
                    "\"bytesMoved\"", "\"totalMedianNanoseconds\""] {
            XCTAssertTrue(text.contains(key), "JSON lacks \(key)")
        }
    }
}
