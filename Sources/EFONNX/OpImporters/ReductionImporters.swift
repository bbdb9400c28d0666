// ONNX importers for the Reduction op group (stub: to be written).

import EFCore
import EFIR

enum ReductionImporters {
    static let table: [String: OpImporter] = [:]
}
