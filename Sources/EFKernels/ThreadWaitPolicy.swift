// How long an idle OpenMP thread spins before it sleeps. libgomp (the pool oneDNN and our
// kernels share) reads OMP_WAIT_POLICY / GOMP_SPINCOUNT once, when it loads, and by default spins
// 300,000 PAUSEs: ~8 ms on AMD Zen 4 (PAUSE ≈ 70 cycles), longer on Intel Skylake and later. When
// another process wants one of the cores, the spinner keeps a core from the thread that has the
// work and a fork/join can cost a whole spin; ResNet-50 (~55 oneDNN calls per image) then ran
// slower on 2 threads than on 1. 10,000 PAUSEs (~0.3 ms) still bridge the microseconds between
// two oneDNN calls on an idle machine. The variable must be in the environment before libgomp
// loads, so the `edgeflow` verbs that run models on more than one thread restart themselves once
// with it (see `EdgeflowCommand.main`); a program embedding EdgeflowRuntime sets it itself.
// libgomp keeps one pool per thread that starts parallel regions, and once its pools hold more
// threads than there are cores it spins only 100 times whatever the count says (GCC's
// GOMP_SPINCOUNT documentation): a process should start them from one thread (`photos serve`
// loads its model on the thread that runs its searches).

import Foundation

public enum ThreadWaitPolicy {
    /// The spin count Edgeflow runs with unless the environment chooses a wait policy.
    public static let spinCount = 10_000

    /// The variables by which a user chooses the wait policy (then Edgeflow leaves it alone).
    public static let userVariables = ["OMP_WAIT_POLICY", "GOMP_SPINCOUNT"]

    /// True when `environment` leaves the wait policy to libgomp's default.
    public static func isDefault(_ environment: [String: String] = ProcessInfo.processInfo.environment) -> Bool {
        !userVariables.contains { environment[$0] != nil }
    }

    /// True unless `arguments` (`--threads N`) or else OMP_NUM_THREADS ask for one thread, or the
    /// machine has one core: only then is there a pool whose threads wait for each other.
    public static func usesSeveralThreads(_ arguments: [String],
                                          _ environment: [String: String] = ProcessInfo.processInfo.environment)
        -> Bool {
        var requested = environment["OMP_NUM_THREADS"]?.split(separator: ",").first.map(String.init)
        for (index, argument) in arguments.enumerated() {
            if argument == "--threads", index + 1 < arguments.count { requested = arguments[index + 1] }
            if argument.hasPrefix("--threads=") { requested = String(argument.dropFirst("--threads=".count)) }
        }
        if let requested, let count = Int(requested.trimmingCharacters(in: .whitespaces)) { return count > 1 }
        return ProcessInfo.processInfo.activeProcessorCount > 1
    }

    /// Replaces this process by itself with GOMP_SPINCOUNT=`spinCount` added to the environment,
    /// when the environment chooses no wait policy; returns (doing nothing else) otherwise or if
    /// the restart fails. Costs one process start (~20 ms for `edgeflow`). Call it first thing in
    /// `main`, before any thread is started.
    public static func restartWithSpinCountIfDefault() {
        guard isDefault(), setenv("GOMP_SPINCOUNT", String(spinCount), 0) == 0 else { return }
        execv("/proc/self/exe", CommandLine.unsafeArgv)
        unsetenv("GOMP_SPINCOUNT")  // execv returned: it failed; run on as we are
    }
}
