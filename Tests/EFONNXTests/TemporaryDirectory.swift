// A scratch directory for tests that write model or external-data files.

import EFTestSupport
import Foundation
import XCTest

extension XCTestCase {
    /// A fresh empty directory, removed when the test ends.
    func temporaryDirectory() throws -> URL {
        let url = try TestData.temporaryDirectory("efonnx")
        addTeardownBlock { try? FileManager.default.removeItem(at: url) }
        return url
    }
}
