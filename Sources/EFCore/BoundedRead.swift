// Reading a whole file that comes from outside with a size limit: the file is read in chunks
// and refused as soon as it passes the limit, so an endless source (/dev/zero, a FIFO fed
// forever) or a huge file never makes Edgeflow allocate more than the limit.

import Foundation

/// Bounded whole-file reads.
public enum BoundedRead {
    /// The bytes of the file at `url`, at most `limit` of them.
    /// - Parameters:
    ///   - what: names the file in errors, e.g. "vocabulary".
    ///   - howToChange: the hint when the file is too large.
    /// - Throws: `EdgeflowError(.io)` when the file cannot be opened or read;
    ///   `EdgeflowError(.invalidInput)` when it holds more than `limit` bytes (nothing more is read).
    public static func contents(of url: URL, limit: Int, what: String, howToChange: String) throws -> [UInt8] {
        let handle: FileHandle
        do {
            handle = try FileHandle(forReadingFrom: url)
        } catch {
            throw EdgeflowError(.io, "\(url.path): cannot read the \(what) (\(error.localizedDescription))",
                                hint: "check that the file exists and is readable")
        }
        defer { try? handle.close() }
        var bytes: [UInt8] = []
        while true {
            let chunk: Data?
            do {
                chunk = try handle.read(upToCount: Swift.min(1 << 20, Swift.max(1, limit + 1 - bytes.count)))
            } catch {
                throw EdgeflowError(.io, "\(url.path): cannot read the \(what) (\(error.localizedDescription))",
                                    hint: "check that the path names a readable file")
            }
            guard let chunk, !chunk.isEmpty else { return bytes }
            bytes.append(contentsOf: chunk)
            guard bytes.count <= limit else {
                throw EdgeflowError(.invalidInput,
                                    "\(url.path): the \(what) is larger than \(MemoryBudget.format(limit)) "
                                        + "(stopped reading there)", hint: howToChange)
            }
        }
    }
}
