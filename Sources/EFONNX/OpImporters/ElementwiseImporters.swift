// ONNX importers for the Elementwise op group (stub: to be written).

import EFCore
import EFIR

enum ElementwiseImporters {
    static let table: [String: OpImporter] = [:]
}
