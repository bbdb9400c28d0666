// ONNX importers for ops that only rename or make constants (stub: to be written).

import EFCore
import EFIR

enum ConstantImporters {
    static let table: [String: OpImporter] = [:]
}
