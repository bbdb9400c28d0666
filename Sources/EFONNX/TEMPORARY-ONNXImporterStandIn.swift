// TEMPORARY (branch archive-cli): a stand-in with the signature of the ONNX importer being
// written on branch onnx-import, so that `edgeflow parse` compiles before it is merged.
// DELETE THIS FILE when merging main brings in the real ONNXImporter.

import EFCore
import EFIR
import Foundation

/// Options for an import (stand-in).
public struct ImportOptions {
    public var inputShapes: [String: [Int]]
    public var startNodeNames: [String]
    public var endNodeNames: [String]
    public var frozenInputs: [String: Tensor]

    public init(inputShapes: [String: [Int]] = [:], startNodeNames: [String] = [], endNodeNames: [String] = [],
                frozenInputs: [String: Tensor] = [:]) {
        self.inputShapes = inputShapes
        self.startNodeNames = startNodeNames
        self.endNodeNames = endNodeNames
        self.frozenInputs = frozenInputs
    }
}

/// The ONNX importer (stand-in: always refuses).
public enum ONNXImporter {
    public static func importModel(at url: URL, options: ImportOptions) throws -> Graph {
        throw EdgeflowError(.unsupported, "this build has no ONNX importer yet (branch onnx-import is not merged)")
    }
}
