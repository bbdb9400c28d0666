// Assertions on thrown EdgeflowErrors: the kind, and fragments the message must contain.

import EFCore
import XCTest

/// Runs `body`, expects an `EdgeflowError` of `kind` whose description (message and hint)
/// contains every fragment, and returns it.
@discardableResult
public func assertEdgeflowError<T>(_ kind: EdgeflowError.Kind, _ fragments: [String],
                            file: StaticString = #filePath, line: UInt = #line,
                            _ body: () throws -> T) -> EdgeflowError? {
    do {
        _ = try body()
        XCTFail("expected an error of kind \(kind) mentioning \(fragments)", file: file, line: line)
        return nil
    } catch let error as EdgeflowError {
        XCTAssertEqual(error.kind, kind, "wrong kind for: \(error)", file: file, line: line)
        for fragment in fragments where !error.description.contains(fragment) {
            XCTFail("error does not mention '\(fragment)': \(error)", file: file, line: line)
        }
        return error
    } catch {
        XCTFail("expected an EdgeflowError, got \(error)", file: file, line: line)
        return nil
    }
}
