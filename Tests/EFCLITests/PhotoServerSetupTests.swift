// `PhotoServer` loads its model on the thread that runs its searches, so libgomp keeps one pool
// of worker threads (with two, it counts more threads than cores and lets waiting threads spin
// only ~100 times: every step of the text tower then paid a sleep and a wake). Checked here by
// the name of the thread the loader runs on (the search thread's), and that what it throws is
// what the server's init throws.

import EFCore
import EFPhotoServer
import EFSearch
import Foundation
import XCTest

final class PhotoServerSetupTests: XCTestCase {
    private final class Seen: @unchecked Sendable {
        var threadName: String?
        var isCallersThread = true
    }

    func testTheModelIsLoadedOnTheSearchThread() throws {
        let library = try PhotoLibrary(path: try ServeLibrary.shared().library, create: false)
        let seen = Seen()
        let caller = Thread.current
        let server = try PhotoServer(library: library, loadModel: {
            seen.threadName = try? String(contentsOfFile: "/proc/thread-self/comm", encoding: .utf8)
                .trimmingCharacters(in: .whitespacesAndNewlines)
            seen.isCallersThread = Thread.current == caller
            return nil
        }, port: 0)
        XCTAssertEqual(seen.threadName, "photos-search")
        XCTAssertFalse(seen.isCallersThread)
        XCTAssertNil(server.model)
    }

    func testWhatTheLoaderThrowsIsWhatTheServerThrows() throws {
        let library = try PhotoLibrary(path: try ServeLibrary.shared().library, create: false)
        XCTAssertThrowsError(try PhotoServer(library: library, loadModel: {
            throw EdgeflowError(.invalidModel, "no such model")
        }, port: 0)) { error in
            XCTAssertEqual((error as? EdgeflowError)?.message, "no such model")
        }
    }
}
