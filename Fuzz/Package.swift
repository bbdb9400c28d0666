// swift-tools-version: 6.0
// The libFuzzer driver of Edgeflow's fuzz targets (Sources/EFFuzzTargets), in its own package so
// that the main package never builds it: it has no `main` of its own and links only with
// `-sanitize=fuzzer`. Build and run it with scripts/fuzz.sh.
import PackageDescription

let package = Package(
    name: "EdgeflowFuzz",
    dependencies: [.package(name: "Edgeflow", path: "..")],
    targets: [
        .executableTarget(name: "edgeflow-fuzz",
                          dependencies: [.product(name: "EFFuzzTargets", package: "Edgeflow")]),
    ],
    swiftLanguageModes: [.v5]
)
