// ONNX importers for the Linear op group (stub: to be written).

import EFCore
import EFIR

enum LinearImporters {
    static let table: [String: OpImporter] = [:]
}
