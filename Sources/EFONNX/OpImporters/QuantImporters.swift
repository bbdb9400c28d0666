// ONNX importers for the Quant op group (stub: to be written).

import EFCore
import EFIR

enum QuantImporters {
    static let table: [String: OpImporter] = [:]
}
