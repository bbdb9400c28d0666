// ONNX importers for the Movement op group (stub: to be written).

import EFCore
import EFIR

enum MovementImporters {
    static let table: [String: OpImporter] = [:]
}
