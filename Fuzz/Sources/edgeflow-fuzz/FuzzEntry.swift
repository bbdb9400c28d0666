// libFuzzer's two entry points for Edgeflow. The target is chosen by the environment variable
// EDGEFLOW_FUZZ_TARGET (scripts/fuzz.sh sets it); every input goes to that target, and a
// finding (an internal error or a foreign error type on bad data) stops the run like a crash,
// so libFuzzer keeps the input. Traps, sanitizer reports and timeouts are caught by libFuzzer.
// EDGEFLOW_FUZZ_LIST=1 lists the targets instead.

import EFFuzzTargets
import Foundation

nonisolated(unsafe) private var selectedTarget: FuzzTarget?

@_cdecl("LLVMFuzzerInitialize")
public func fuzzInitialize(_ argc: UnsafeMutablePointer<CInt>,
                           _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>) -> CInt {
    let environment = ProcessInfo.processInfo.environment
    if environment["EDGEFLOW_FUZZ_LIST"] != nil {
        for target in FuzzTargets.all { print("fuzz-target: \(target.name)\t\(target.summary)") }
        fflush(stdout)
        exit(0)
    }
    let name = environment["EDGEFLOW_FUZZ_TARGET"] ?? ""
    guard let target = FuzzTargets.named(name) else {
        let names = FuzzTargets.all.map(\.name).joined(separator: ", ")
        FileHandle.standardError.write(Data("edgeflow-fuzz: set EDGEFLOW_FUZZ_TARGET to one of: \(names)\n".utf8))
        exit(2)
    }
    selectedTarget = target
    return 0
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOneInput(_ bytes: UnsafePointer<UInt8>?, _ count: Int) -> CInt {
    guard let target = selectedTarget else { return 0 }
    let input = bytes.map { Data(bytes: $0, count: count) } ?? Data()
    if let finding = target.findingFor(input) {
        FileHandle.standardError.write(Data("edgeflow-fuzz [\(target.name)]: \(finding)\n".utf8))
        abort()
    }
    return 0
}

/// libFuzzer's driver, called from our own entry point.
@_silgen_name("LLVMFuzzerRunDriver")
private func runFuzzerDriver(
    _ argc: UnsafeMutablePointer<CInt>,
    _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>,
    _ callback: @convention(c) (UnsafePointer<UInt8>?, Int) -> CInt) -> CInt

/// The process entry point: SwiftPM links an executable target's `main` to `<module>_main`,
/// which a target built with `-parse-as-library` must define itself. It hands over to libFuzzer.
@_cdecl("edgeflow_fuzz_main")
public func fuzzMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    var count = argc
    var arguments = argv
    return runFuzzerDriver(&count, &arguments) { bytes, size in fuzzOneInput(bytes, size) }
}
