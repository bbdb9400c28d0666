// Executables of one model for varying input shapes. Edgeflow executables have static shapes,
// while PP-OCR's detector sees each photo at its own size (sides multiples of 32) and the
// recognizer each batch at its own width; this cache asks its loader (which compiles, or loads a
// compiled file) once per shape and keeps the most recently used few in memory.

import EFCore
import EdgeflowRuntime
import Foundation

/// A model's executables by input shape, loaded on demand, least recently used dropped first.
/// Thread-safe: concurrent first uses of one shape wait for one load.
public final class ShapedModels: @unchecked Sendable {
    /// Returns the model's executable for one input shape (e.g. [1, 3, 736, 992]).
    public typealias Loader = @Sendable (_ inputShape: [Int]) throws -> EdgeflowModel

    /// How many executables stay loaded.
    public let capacity: Int
    private let loader: Loader
    private let lock = NSLock()
    private var models: [[Int]: EdgeflowModel] = [:]
    private var recent: [[Int]] = []

    /// - Parameter capacity: executables kept loaded (at least 1).
    public init(capacity: Int = 8, loader: @escaping Loader) {
        self.capacity = max(1, capacity)
        self.loader = loader
    }

    /// The executable for `shape`.
    /// - Throws: the loader's error; `EdgeflowError.invalidModel` when the executable it gives
    ///   does not take one input of that shape.
    public func model(for shape: [Int]) throws -> EdgeflowModel {
        lock.lock()
        defer { lock.unlock() }
        if let model = models[shape] {
            touch(shape)
            return model
        }
        let model = try loader(shape)
        guard model.inputs.count == 1, model.inputs[0].shape == shape else {
            throw EdgeflowError(.invalidModel, "\(model.name) was loaded for input \(shape) but takes "
                                    + model.inputs.map { "\($0.shape)" }.joined(separator: ", "))
        }
        models[shape] = model
        touch(shape)
        while recent.count > capacity {
            models[recent.removeFirst()] = nil
        }
        return model
    }

    /// The shapes loaded now, least recently used first.
    public var loadedShapes: [[Int]] {
        lock.lock()
        defer { lock.unlock() }
        return recent
    }

    private func touch(_ shape: [Int]) {
        recent.removeAll { $0 == shape }
        recent.append(shape)
    }
}
