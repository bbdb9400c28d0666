// swift-tools-version: 6.0
// Edgeflow: a dataflow compiler and runtime for quantized neural networks.
// Module layering is documented in docs/architecture.md and enforced by ArchitectureTests.
import PackageDescription

let package = Package(
    name: "Edgeflow",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "edgeflow", targets: ["edgeflow"]),
        .library(name: "EFCLI", targets: ["EFCLI"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
    ],
    targets: [
        .target(name: "EFCore"),
        .target(name: "EFIR", dependencies: ["EFCore"]),
        .target(name: "EFKernels", dependencies: ["EFCore"]),
        .target(name: "EFInterpreter", dependencies: ["EFCore", "EFIR", "EFKernels"]),
        .target(name: "EFONNX", dependencies: ["EFCore", "EFIR", "EFInterpreter"]),
        .target(name: "EFArchive", dependencies: ["EFCore", "EFIR"]),
        .target(name: "EFCLI", dependencies: [
            "EFCore", "EFIR", "EFInterpreter", "EFONNX", "EFArchive",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ]),
        .executableTarget(name: "edgeflow", dependencies: ["EFCLI"]),
        .executableTarget(name: "edgeflow-kernel-bench", dependencies: ["EFCore", "EFKernels"],
                          path: "benchmarks/KernelBench"),
        .target(name: "EFTestSupport", dependencies: ["EFCore"], path: "Tests/EFTestSupport"),
        .testTarget(name: "EFCoreTests", dependencies: ["EFCore", "EFTestSupport"]),
        .testTarget(name: "EFIRTests", dependencies: ["EFCore", "EFIR", "EFTestSupport"]),
        .testTarget(name: "EFKernelsTests", dependencies: ["EFCore", "EFKernels", "EFTestSupport"]),
        .testTarget(name: "EFONNXTests", dependencies: ["EFCore", "EFIR", "EFONNX", "EFInterpreter", "EFTestSupport"]),
        .testTarget(name: "EFArchiveTests", dependencies: ["EFCore", "EFIR", "EFArchive", "EFTestSupport"]),
        .testTarget(name: "EFCLITests", dependencies: ["EFCLI", "EFCore", "EFIR", "EFArchive", "EFTestSupport", "edgeflow"]),
        .testTarget(name: "ConformanceTests", dependencies: ["EFCore", "EFIR", "EFONNX", "EFInterpreter", "EFTestSupport"],
                    exclude: ["manifest.tsv"]),
        .testTarget(name: "ModelTests", dependencies: ["EFCore", "EFIR", "EFONNX", "EFInterpreter", "EFArchive", "EFTestSupport"]),
        .testTarget(name: "ArchitectureTests", dependencies: ["EFTestSupport"]),
    ],
    swiftLanguageModes: [.v5]
)
