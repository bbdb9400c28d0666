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
        .systemLibrary(name: "CDNNL", path: "Sources/CDNNL"),
        .systemLibrary(name: "COpenMP", path: "Sources/COpenMP"),
        .systemLibrary(name: "CTurboJPEG", path: "Sources/CTurboJPEG"),
        .systemLibrary(name: "CPNG", path: "Sources/CPNG", pkgConfig: "libpng16"),
        .systemLibrary(name: "CWebP", path: "Sources/CWebP"),
        .systemLibrary(name: "CHeif", path: "Sources/CHeif", pkgConfig: "libheif"),
        .systemLibrary(name: "CGif", path: "Sources/CGif"),
        .systemLibrary(name: "CTIFF", path: "Sources/CTIFF", pkgConfig: "libtiff-4"),
        .systemLibrary(name: "CZlib", path: "Sources/CZlib"),
        .target(name: "EFCore"),
        .target(name: "EFIR", dependencies: ["EFCore"]),
        .target(name: "EFKernels", dependencies: ["EFCore", "COpenMP"]),
        .target(name: "EFOneDNN", dependencies: ["EFCore", "CDNNL", "COpenMP"]),
        .target(name: "EFMedia", dependencies: ["EFCore", "CTurboJPEG", "CPNG", "CWebP", "CHeif", "CGif", "CTIFF"]),
        .target(name: "EFText", dependencies: ["EFCore", "CZlib"]),
        .target(name: "EFInterpreter", dependencies: ["EFCore", "EFIR", "EFKernels"]),
        .target(name: "EFTransforms", dependencies: ["EFCore", "EFIR", "EFKernels", "EFInterpreter"]),
        .target(name: "EFRuntime", dependencies: ["EFCore", "EFKernels", "EFOneDNN"]),
        .target(name: "EFCompiler", dependencies: ["EFCore", "EFIR", "EFKernels", "EFOneDNN", "EFInterpreter", "EFTransforms", "EFRuntime"]),
        .target(name: "EFONNX", dependencies: ["EFCore", "EFIR", "EFInterpreter"]),
        .target(name: "EFArchive", dependencies: ["EFCore", "EFIR"]),
        .target(name: "EFCLI", dependencies: [
            "EFCore", "EFIR", "EFKernels", "EFInterpreter", "EFONNX", "EFArchive", "EFTransforms", "EFCompiler", "EFRuntime",
            "EFMedia", "EFText",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ]),
        .executableTarget(name: "edgeflow", dependencies: ["EFCLI"]),
        .executableTarget(name: "edgeflow-kernel-bench", dependencies: ["EFCore", "EFKernels", "EFOneDNN"],
                          path: "benchmarks/KernelBench"),
        .target(name: "EFTestSupport", dependencies: ["EFCore", "EFIR"], path: "Tests/EFTestSupport"),
        .testTarget(name: "EFCoreTests", dependencies: ["EFCore", "EFTestSupport"]),
        .testTarget(name: "EFIRTests", dependencies: ["EFCore", "EFIR", "EFTestSupport"]),
        .testTarget(name: "EFKernelsTests", dependencies: ["EFCore", "EFKernels", "EFTestSupport"]),
        .testTarget(name: "EFONNXTests", dependencies: ["EFCore", "EFIR", "EFONNX", "EFInterpreter", "EFTestSupport"]),
        .testTarget(name: "EFArchiveTests", dependencies: ["EFCore", "EFIR", "EFArchive", "EFTestSupport"]),
        .testTarget(name: "EFCLITests", dependencies: ["EFCLI", "EFCore", "EFIR", "EFArchive", "EFTestSupport", "edgeflow"]),
        .testTarget(name: "ConformanceTests", dependencies: ["EFCore", "EFIR", "EFONNX", "EFInterpreter", "EFTestSupport"],
                    exclude: ["manifest.tsv"]),
        .testTarget(name: "ModelTests", dependencies: ["EFCore", "EFIR", "EFONNX", "EFInterpreter", "EFArchive", "EFTransforms", "EFCompiler", "EFRuntime", "EFTestSupport"]),
        .testTarget(name: "EFOneDNNTests", dependencies: ["EFCore", "EFKernels", "EFOneDNN", "EFTestSupport", "edgeflow-kernel-bench"]),
        .testTarget(name: "EFTransformsTests", dependencies: ["EFCore", "EFIR", "EFInterpreter", "EFTransforms", "EFONNX", "EFTestSupport"]),
        .testTarget(name: "EFRuntimeTests", dependencies: ["EFCore", "EFIR", "EFKernels", "EFOneDNN", "EFInterpreter", "EFONNX", "EFArchive", "EFTransforms", "EFCompiler", "EFRuntime", "EFTestSupport"]),
        .testTarget(name: "EFMediaTests", dependencies: ["EFCore", "EFMedia", "EFTestSupport"]),
        .testTarget(name: "EFTextTests", dependencies: ["EFCore", "EFIR", "EFONNX", "EFArchive", "EFCompiler", "EFRuntime", "EFText", "EFTestSupport"]),
        .testTarget(name: "ArchitectureTests", dependencies: ["EFTestSupport"]),
    ],
    swiftLanguageModes: [.v5]
)
