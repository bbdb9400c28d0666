// Fuzz targets of the model side: the ONNX protobuf reader with the importer behind it, the
// TFLite FlatBuffers reader with its importer, the FlexBuffers maps of custom ops' options, `.npy`,
// and the three parts of an `.efa` archive (the zip container, graph.json, weights.npz).

import EFArchive
import EFCore
import EFIR
import EFONNX
import EFTFLite
import Foundation

enum ModelFuzzTargets {
    static let all: [FuzzTarget] = [onnx, tflite, flexBuffers, npy, zip, graphJSON, npz, archive,
                                            RunFuzzTarget.run]

    static let onnx = FuzzTarget(name: "onnx",
        summary: "ONNX ModelProto bytes → OnnxModel(decoding:) → ONNXImporter.importModel (no external data)") {
        let model = try OnnxModel(decoding: $0)
        _ = try ONNXImporter.importModel(model, baseDirectory: nil)
    }

    static let tflite = FuzzTarget(name: "tflite",
        summary: "TFLite FlatBuffer bytes → TFLiteModel(buffer:) → TFLiteImporter.importModel") {
        _ = try TFLiteImporter.importModel(bytes: Array($0))
    }

    static let flexBuffers = FuzzTarget(name: "flexbuffers",
        summary: "FlexBuffers bytes (a TFLite custom op's options) → FlexBufferMap(bytes:what:)") {
        _ = try FlexBufferMap(bytes: Array($0), what: "fuzz")
    }

    static let npy = FuzzTarget(name: "npy", summary: ".npy bytes → NPY.readHeader and NPY.decode") {
        _ = try NPY.readHeader($0)
        _ = try NPY.decode($0)
    }

    static let zip = FuzzTarget(name: "efa-zip",
                                summary: "zip bytes → ZipFile.decode (every member read, CRC checked)") {
        _ = try ZipFile.decode($0, label: "fuzz.zip")
    }

    static let graphJSON = FuzzTarget(name: "efa-graph-json",
        summary: "graph.json bytes → EdgeflowArchive.decodeGraph (every declared type checked)") {
        _ = try EdgeflowArchive.decodeGraph(json: $0, label: "graph.json")
    }

    static let npz = FuzzTarget(name: "efa-npz", summary: "weights.npz bytes → NPZ.decode") {
        _ = try NPZ.decode($0, label: "weights.npz")
    }

    /// The separator between the members of an `efa-archive` input.
    static let memberSeparator = Data("\n--efa-member--\n".utf8)

    /// Input: metadata.json, graph.json and weights.npz joined by `memberSeparator`; the target
    /// stores them in a zip with correct checksums, so mutations reach the cross-checks.
    static let archive = FuzzTarget(name: "efa-archive",
        summary: "metadata.json, graph.json, weights.npz → a stored zip → EdgeflowArchive.read(data:)") { data in
        _ = try readArchive(data)
    }

    /// Reads an `efa-archive` input: the members joined by `memberSeparator`, stored in a zip.
    static func readArchive(_ data: Data) throws -> EdgeflowArchive {
        var parts: [Data] = [], rest = data[...]
        while let range = rest.range(of: memberSeparator), parts.count < 2 {
            parts.append(Data(rest[..<range.lowerBound]))
            rest = rest[range.upperBound...]
        }
        parts.append(Data(rest))
        let names = ["metadata.json", "graph.json", "weights.npz"]
        let zip = try ZipFile.encode(Swift.zip(names, parts).map { (name: $0, data: $1) },
                                     modified: Date(timeIntervalSince1970: 0))
        return try EdgeflowArchive.read(data: zip, label: "fuzz.efa")
    }
}
