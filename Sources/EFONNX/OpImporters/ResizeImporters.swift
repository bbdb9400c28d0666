// ONNX importers for the Resize op group (stub: to be written).

import EFCore
import EFIR

enum ResizeImporters {
    static let table: [String: OpImporter] = [:]
}
