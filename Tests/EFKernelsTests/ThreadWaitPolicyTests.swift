// When Edgeflow's verbs restart with their own libgomp spin count: only when the environment
// chose no wait policy and the run will use more than one thread.

import EFKernels
import XCTest

final class ThreadWaitPolicyTests: XCTestCase {
    func testAUserChosenWaitPolicyIsLeftAlone() {
        XCTAssertTrue(ThreadWaitPolicy.isDefault([:]))
        XCTAssertTrue(ThreadWaitPolicy.isDefault(["OMP_NUM_THREADS": "2"]))
        XCTAssertFalse(ThreadWaitPolicy.isDefault(["OMP_WAIT_POLICY": "active"]))
        XCTAssertFalse(ThreadWaitPolicy.isDefault(["GOMP_SPINCOUNT": "300000"]))
    }

    func testTheThreadOptionThenOMPNumThreadsThenTheCoresDecide() {
        let cores = ProcessInfo.processInfo.activeProcessorCount > 1
        XCTAssertFalse(ThreadWaitPolicy.usesSeveralThreads(["benchmark", "m.efx", "--threads", "1"], [:]))
        XCTAssertFalse(ThreadWaitPolicy.usesSeveralThreads(["run", "m.efx", "--threads=1"], ["OMP_NUM_THREADS": "4"]))
        XCTAssertTrue(ThreadWaitPolicy.usesSeveralThreads(["run", "m.efx", "--threads", "2"], ["OMP_NUM_THREADS": "1"]))
        XCTAssertFalse(ThreadWaitPolicy.usesSeveralThreads(["infer", "m.efa"], ["OMP_NUM_THREADS": "1"]))
        XCTAssertTrue(ThreadWaitPolicy.usesSeveralThreads(["infer", "m.efa"], ["OMP_NUM_THREADS": "2,1"]))
        XCTAssertEqual(ThreadWaitPolicy.usesSeveralThreads(["profile", "m.efx"], [:]), cores)
        XCTAssertEqual(ThreadWaitPolicy.usesSeveralThreads(["run", "--threads", "x"], [:]), cores)  // refused later
    }
}
