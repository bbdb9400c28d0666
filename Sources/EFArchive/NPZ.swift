// numpy `.npz` files: a zip with one stored `.npy` member per array, as numpy.savez writes
// them and numpy.load reads them.
//
// Member names: numpy's key for member `K.npy` is `K`. Edgeflow keys are value names, which
// can hold any character (PyTorch exports use names like `/backbone/conv1/Conv_output_0` or
// `onnx::Conv_123`), so a key is escaped before it becomes a member name: every UTF-8 byte
// outside [A-Za-z0-9._-] and a leading `.` are written as `%XX` (two upper-case hex digits).
// The mapping is reversible and keeps members inside the directory `unzip` extracts them to.
// Example: key `onnx::Conv_123` → member `onnx%3A%3AConv_123.npy` → numpy key `onnx%3A%3AConv_123`.

import EFCore
import Foundation

/// Reading and writing `.npz` files.
public enum NPZ {
    /// The zip member name for a key (see the file header for the escaping rule).
    public static func memberName(forKey key: String) -> String {
        escape(key) + ".npy"
    }

    /// The key of a member name, or nil when the name is not an escaped `.npy` member.
    public static func key(forMemberName name: String) -> String? {
        guard name.hasSuffix(".npy") else { return nil }
        return unescape(String(name.dropLast(4)))
    }

    /// The `.npz` file holding `arrays` (members in the order given).
    /// - Throws: `EdgeflowError.internalError` for duplicate keys, `.unsupported` beyond zip limits.
    public static func encode(_ arrays: [(key: String, tensor: Tensor)]) throws -> Data {
        let sink = DataSink()
        let writer = ZipWriter(sink: sink, label: "npz")
        try write(arrays, to: writer)
        try writer.finish()
        return sink.data
    }

    /// The arrays of an `.npz` file by key.
    /// - Parameter label: names the file in messages.
    /// - Returns: one tensor per `.npy` member, with the dtype and shape its header declares.
    /// - Throws: `EdgeflowError.invalidArchive` for damaged zips, members that are not `.npy`
    ///   arrays, two members with the same key, or damaged `.npy` members (including shapes whose
    ///   size overflows or that the member's bytes do not fill); `.unsupported` for compressed
    ///   members (numpy.savez_compressed). Allocates at most the size of `data` for tensors.
    public static func decode(_ data: Data, label: String) throws -> [String: Tensor] {
        let reader = try ZipReader(data: data, label: label)
        var arrays: [String: Tensor] = [:]
        for entry in reader.entries {
            guard let key = key(forMemberName: entry.name) else {
                throw EdgeflowError(.invalidArchive, "\(label): member '\(entry.name)' is not an .npy array")
            }
            guard arrays[key] == nil else {
                throw EdgeflowError(.invalidArchive, "\(label): member '\(entry.name)' repeats the key '\(key)'")
            }
            let bytes = try reader.contents(of: entry)
            arrays[key] = try decodeMember(name: entry.name, label: label) { try NPY.decode(bytes) }
        }
        return arrays
    }

    /// Writes each array as a member `<escaped key>.npy` (one array encoded in memory at a time).
    static func write(_ arrays: [(key: String, tensor: Tensor)], to writer: ZipWriter) throws {
        for (key, tensor) in arrays {
            try writer.addMember(named: memberName(forKey: key), data: NPY.encode(tensor))
        }
    }

    /// Runs `body` on member `name`, turning its `.npy` errors into invalid-archive errors.
    static func decodeMember<T>(name: String, label: String, _ body: () throws -> T) throws -> T {
        do {
            return try body()
        } catch let error as EdgeflowError {
            throw EdgeflowError(.invalidArchive, "\(label): member '\(name)': \(error.message)", hint: error.hint)
        }
    }

    private static let unreserved = Set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._-".utf8)

    private static func escape(_ key: String) -> String {
        var result = ""
        for (index, byte) in key.utf8.enumerated() {
            if unreserved.contains(byte) && !(index == 0 && byte == UInt8(ascii: ".")) {
                result.unicodeScalars.append(Unicode.Scalar(byte))
            } else {
                result += String(format: "%%%02X", byte)
            }
        }
        return result
    }

    private static func unescape(_ name: String) -> String? {
        var bytes: [UInt8] = []
        var utf8 = Array(name.utf8)[...]
        while let byte = utf8.popFirst() {
            guard byte == UInt8(ascii: "%") else {
                bytes.append(byte)
                continue
            }
            guard utf8.count >= 2, let value = UInt8(String(decoding: utf8.prefix(2), as: UTF8.self), radix: 16) else {
                return nil
            }
            bytes.append(value)
            utf8 = utf8.dropFirst(2)
        }
        return String(bytes: bytes, encoding: .utf8)
    }
}
