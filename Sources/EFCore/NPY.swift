// Reading and writing numpy `.npy` files (format versions 1.0–3.0, C order, little-endian).
// Header parsing lives in NPYHeader.swift. Reading a file never reads more than its header
// declares (plus one byte to detect trailing data), so an endless file (/dev/zero, a pipe) or
// a header declaring terabytes cannot exhaust memory; a `MemoryBudget` can bound it further.

import Foundation

/// The `.npy` file format.
public enum NPY {
    /// The first six bytes of every `.npy` file, "\x93NUMPY".
    public static let magic: [UInt8] = [0x93, 0x4E, 0x55, 0x4D, 0x50, 0x59]

    /// Serializes a tensor as an `.npy` file: version 1.0, or 2.0 when the header exceeds
    /// 64 KiB (as numpy does).
    public static func encode(_ tensor: Tensor) -> Data {
        let shapeText: String
        switch tensor.shape.count {
        case 0: shapeText = "()"
        case 1: shapeText = "(\(tensor.shape[0]),)"
        default: shapeText = "(" + tensor.shape.map(String.init).joined(separator: ", ") + ")"
        }
        var header = "{'descr': '\(tensor.dtype.numpyDescr)', 'fortran_order': False, 'shape': \(shapeText), }"
        // Pad so that magic(6) + version(2) + length(2 or 4) + header + "\n" is a multiple of 64.
        let version1 = 10 + header.utf8.count + 1 + 63 <= 10 + 0xFFFF
        let preamble = version1 ? 10 : 12
        let unpadded = preamble + header.utf8.count + 1
        header += String(repeating: " ", count: (64 - unpadded % 64) % 64) + "\n"
        var data = Data(magic)
        let length = header.utf8.count
        if version1 {
            data.append(contentsOf: [1, 0, UInt8(length & 0xFF), UInt8(length >> 8 & 0xFF)])
        } else {
            data.append(contentsOf: [2, 0] + (0..<4).map { UInt8(truncatingIfNeeded: length >> (8 * $0)) })
        }
        data.append(contentsOf: Array(header.utf8))
        tensor.withUnsafeBytes { data.append(contentsOf: $0) }
        return data
    }

    /// Decodes a whole `.npy` file held in memory.
    /// - Returns: a tensor of the header's dtype and shape (row-major).
    /// - Throws: `EdgeflowError.invalidInput` for malformed headers (see `readHeader(_:)`),
    ///   unsupported dtypes, Fortran order, or a data section whose size differs from the
    ///   header's; the tensor allocated is never larger than `data`.
    public static func decode(_ data: Data) throws -> Tensor {
        let header = try readHeader(data)
        let (dtype, bytes) = try checkReadable(header)
        let available = data.count - header.dataOffset
        guard available == bytes else {
            throw EdgeflowError(.invalidInput,
                "the .npy data holds \(available) bytes but its header declares "
                    + "\(header.shape.shapeDescription) \(dtype.rawValue) = \(bytes) bytes")
        }
        return data.withUnsafeBytes { raw in
            Tensor(dtype: dtype, shape: header.shape,
                   bytes: UnsafeRawBufferPointer(rebasing: raw[header.dataOffset...]))
        }
    }

    /// Reads only the header of the `.npy` file at `url` (at most 12 + `maxHeaderBytes`
    /// bytes), e.g. to check `dataByteCount` against a budget before loading the data.
    /// - Throws: `EdgeflowError.io` when the file cannot be opened or read, `.invalidInput`
    ///   (prefixed with the path) as `readHeader(_:)`.
    public static func readHeader(contentsOf url: URL) throws -> Header {
        let handle = try open(url)
        defer { try? handle.close() }
        return try prefixed(url) { try readHeader(handle, url).header }
    }

    /// Reads the `.npy` file at `url`, reading no more bytes than its header declares.
    /// - Parameter budget: when given, the declared data size is checked against it before
    ///   the data is read.
    /// - Throws: `EdgeflowError.io` when the file cannot be read; `.invalidInput` (prefixed with
    ///   the path) as `decode`, when the data is shorter or longer than declared, or when the
    ///   declared size exceeds `budget`.
    public static func read(contentsOf url: URL, budget: MemoryBudget? = nil) throws -> Tensor {
        let handle = try open(url)
        defer { try? handle.close() }
        return try prefixed(url) {
            var (header, bytes) = try readHeader(handle, url)
            let (dtype, byteCount) = try checkReadable(header)
            try budget?.check(byteCount, for: "\(dtype.rawValue)\(header.shape.shapeDescription)")
            let wanted = header.dataOffset + byteCount  // both checked: no overflow
            if bytes.count < wanted { bytes += try read(handle, url, count: wanted - bytes.count) }
            if bytes.count == wanted, try !read(handle, url, count: 1).isEmpty {
                throw EdgeflowError(.invalidInput, "the file holds more data than its header declares "
                                    + "(\(header.shape.shapeDescription) \(dtype.rawValue) = \(byteCount) bytes)")
            }
            return try decode(bytes)
        }
    }

    /// The dtype and byte count of a header Edgeflow can load.
    private static func checkReadable(_ header: Header) throws -> (DType, Int) {
        guard let dtype = header.dtype, let bytes = header.dataByteCount else {
            throw EdgeflowError(.invalidInput, "unsupported numpy dtype '\(header.descr)'")
        }
        guard !header.fortranOrder || header.shape.count <= 1 else {
            throw EdgeflowError(.invalidInput, "Fortran-ordered arrays are not supported",
                                hint: "save with numpy.ascontiguousarray(a)")
        }
        return (dtype, bytes)
    }

    /// The header and every byte read so far (the preamble and the header text).
    private static func readHeader(_ handle: FileHandle, _ url: URL) throws -> (header: Header, bytes: Data) {
        var bytes = try read(handle, url, count: 12)
        let (start, length, _) = try preamble([UInt8](bytes))
        if bytes.count < start + length { bytes += try read(handle, url, count: start + length - bytes.count) }
        return (try readHeader(bytes), bytes)
    }

    private static func open(_ url: URL) throws -> FileHandle {
        do { return try FileHandle(forReadingFrom: url) } catch {
            throw EdgeflowError(.io, "cannot read \(url.path): \(error.localizedDescription)")
        }
    }

    /// Up to `count` bytes (fewer only at the end of the file), read in chunks so that a
    /// large `count` allocates no more than the file holds.
    private static func read(_ handle: FileHandle, _ url: URL, count: Int) throws -> Data {
        var result = Data()
        while result.count < count {
            let chunk: Data?
            do { chunk = try handle.read(upToCount: min(count - result.count, 1 << 24)) } catch {
                throw EdgeflowError(.io, "cannot read \(url.path): \(error.localizedDescription)")
            }
            guard let chunk, !chunk.isEmpty else { break }
            result += chunk
        }
        return result
    }

    private static func prefixed<T>(_ url: URL, _ body: () throws -> T) throws -> T {
        do { return try body() } catch let error as EdgeflowError where error.kind != .io {
            throw error.prefixed(url.path)
        }
    }
}
