// Paths of the real HEF files committed under Fixtures/ (see Fixtures/README.md).

import Foundation

enum HEFFixtures {
    static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("Fixtures")

    static func data(_ name: String) throws -> Data { try Data(contentsOf: directory.appendingPathComponent(name)) }

    /// MNIST CNN, header v0 (MD5), Hailo-8.
    static let mnist = "mnist_cnn_v0.hef"
    /// lightface_slim for Hailo-10H, header v3 (XXH3), DFC 5.4.
    static let lightface = "lightface_slim_h10h_v3.hef"
}
