// Tensor data stored outside the model file (TensorProto.external_data): `location` relative to
// the model's directory, optional `offset` and `length`. Locations that leave that directory
// (absolute paths, "..") are refused, and sizes are checked before reading.
//
// Symbolic links inside the directory are followed: a model file cannot create links, and
// caches such as the Hugging Face hub keep model files as links into a blob store.

import EFCore
import Foundation

enum ExternalData {
    /// Reads the external data of `tensor`, which must be exactly `byteCount` bytes of `dtype`.
    static func load(_ tensor: OnnxTensor, dtype: DType, byteCount: Int, baseDirectory: URL?) throws -> Tensor {
        let what = tensor.displayName
        guard let location = tensor.externalData["location"], !location.isEmpty else {
            throw EdgeflowError(.invalidModel, "\(what) is marked as external data but has no 'location'")
        }
        guard let baseDirectory else {
            throw EdgeflowError(.invalidModel,
                "\(what) keeps its data in the external file '\(location)', but the model was not read from a file",
                hint: "import the model from its path so that the data file beside it can be found")
        }
        let file = try resolve(location, in: baseDirectory, for: what)
        let offset = try integer("offset", of: tensor) ?? 0
        let fileSize: Int
        do {
            let attributes = try FileManager.default.attributesOfItem(atPath: file.path)
            fileSize = (attributes[.size] as? NSNumber)?.intValue ?? 0
        } catch {
            throw EdgeflowError(.io, "\(what) keeps its data in '\(location)', but \(file.path) cannot be read",
                                hint: "keep the external data file in the model's directory")
        }
        guard offset <= fileSize else {
            throw EdgeflowError(.invalidModel,
                "\(what): external data offset \(offset) is beyond the end of '\(location)' (\(fileSize) bytes)")
        }
        let length = try integer("length", of: tensor) ?? (fileSize - offset)
        guard length <= fileSize - offset else {
            throw EdgeflowError(.invalidModel,
                "\(what): external data range \(offset)+\(length) exceeds '\(location)' (\(fileSize) bytes)")
        }
        guard length == byteCount else {
            throw tensor.sizeMismatch("external data in '\(location)' holds \(length) bytes", byteCount: byteCount)
        }
        let data: Data
        do {
            let handle = try FileHandle(forReadingFrom: file)
            defer { try? handle.close() }
            try handle.seek(toOffset: UInt64(offset))
            data = try handle.read(upToCount: length) ?? Data()
        } catch {
            throw EdgeflowError(.io, "\(what): reading external data from \(file.path) failed: \(error.localizedDescription)")
        }
        guard data.count == length else {
            throw EdgeflowError(.io, "\(what): '\(location)' ended after \(data.count) of \(length) bytes")
        }
        return data.withUnsafeBytes { OnnxTensor.tensor(dtype: dtype, shape: tensor.dims, littleEndianBytes: $0) }
    }

    /// The file for a relative `location`, refusing anything outside `directory`.
    static func resolve(_ location: String, in directory: URL, for what: String) throws -> URL {
        let components = location.split(whereSeparator: { $0 == "/" || $0 == "\\" })
        guard !location.hasPrefix("/"), !location.hasPrefix("\\"),
              !components.contains("..") else {
            throw EdgeflowError(.invalidModel,
                "\(what) refers to external data at '\(location)', outside the model's directory",
                hint: "external data locations must be relative paths inside the model's directory")
        }
        return directory.appendingPathComponent(location)
    }

    /// A non-negative integer entry of `external_data`, nil when absent.
    private static func integer(_ key: String, of tensor: OnnxTensor) throws -> Int? {
        guard let text = tensor.externalData[key] else { return nil }
        guard let value = Int(text.trimmingCharacters(in: .whitespaces)), value >= 0 else {
            throw EdgeflowError(.invalidModel, "\(tensor.displayName): external data \(key) '\(text)' is not a byte count")
        }
        return value
    }
}
