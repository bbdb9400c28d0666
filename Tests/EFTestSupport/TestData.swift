// Where tests find committed goldens (Tests/Goldens) and fetched material (.testdata).

import EFCore
import Foundation

/// Paths to test material.
public enum TestData {
    /// The repository root (found from this file's location).
    public static let repoRoot: URL = {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent()
    }()

    /// Committed golden files.
    public static var goldens: URL { repoRoot.appendingPathComponent("Tests/Goldens") }

    /// Material fetched by scripts/setup.sh; `EDGEFLOW_TESTDATA` overrides the location.
    public static var fetched: URL {
        if let override = ProcessInfo.processInfo.environment["EDGEFLOW_TESTDATA"] {
            return URL(fileURLWithPath: override)
        }
        return repoRoot.appendingPathComponent(".testdata")
    }

    /// A fetched file, or nil when setup has not fetched it.
    public static func fetchedFile(_ relativePath: String) -> URL? {
        let url = fetched.appendingPathComponent(relativePath)
        return FileManager.default.fileExists(atPath: url.path) ? url : nil
    }

    /// A fresh empty directory `<prefix>-<UUID>` under the system's temporary directory; the
    /// caller removes it.
    public static func temporaryDirectory(_ prefix: String) throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("\(prefix)-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    /// True in an optimized build: model-sized tests run only there (debug is 10–50× slower).
    public static var isOptimizedBuild: Bool {
        #if DEBUG
        return false
        #else
        return true
        #endif
    }
}

/// Largest absolute difference between two tensors of equal shape, as Double.
public func maxAbsDifference(_ a: Tensor, _ b: Tensor) -> Double {
    let x = a.doubleValues(), y = b.doubleValues()
    var worst = 0.0
    for (u, v) in zip(x, y) {
        if u.isNaN && v.isNaN { continue }
        let d = abs(u - v)
        if d.isNaN { return .infinity }
        worst = max(worst, d)
    }
    return worst
}
