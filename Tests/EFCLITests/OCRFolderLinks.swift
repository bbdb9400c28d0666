// A models root for the OCR golden tests: PP-OCRv5_mobile in Immich's folder layout whose
// model.onnx files link to setup's (each checked against the golden's digest first), so the
// executables are compiled into the test's own folder.

import EFCLI
import EFCore
import EFTestSupport
import Foundation
import XCTest

enum OCRFolderLinks {
    /// `base`/PP-OCRv5_mobile/PART/model.onnx → MODEL for each (part, model, sha256).
    static func folders(at base: URL, _ parts: [(part: String, model: URL, sha256: String)],
                        file: StaticString = #filePath, line: UInt = #line) throws -> ImmichModelFolders {
        for (part, model, sha) in parts {
            XCTAssertEqual(try SHA256.hex(ofFileAt: model), sha, "\(model.path) is not the golden's model",
                           file: file, line: line)
            let folder = base.appendingPathComponent("PP-OCRv5_mobile/\(part)")
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            try FileManager.default.createSymbolicLink(at: folder.appendingPathComponent("model.onnx"),
                                                       withDestinationURL: model)
        }
        return ImmichModelFolders(root: base) { _ in }
    }
}
