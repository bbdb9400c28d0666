// Whole zip files in memory: the public face of ZipReader/ZipWriter for callers that need
// raw members (tests, tools, future archive members).

import EFCore
import Foundation

/// Reading and writing zip files with stored (uncompressed) members.
public enum ZipFile {
    /// A zip file holding `members` in order.
    /// - Throws: `EdgeflowError.unsupported` beyond the 4 GiB / 65534-member limits,
    ///   `.invalidArgument` for empty or overlong names, `.internalError` for repeated names.
    public static func encode(_ members: [(name: String, data: Data)], modified: Date = Date()) throws -> Data {
        let sink = DataSink()
        let writer = ZipWriter(sink: sink, label: "zip", modified: modified)
        for member in members { try writer.addMember(named: member.name, data: member.data) }
        try writer.finish()
        return sink.data
    }

    /// The members of a zip file in central-directory order, each CRC-checked. Members are
    /// slices of `data` (no copies): memory use does not depend on any size the file declares.
    /// - Parameter label: names the file in messages.
    /// - Throws: `EdgeflowError.invalidArchive` for damage (counts, offsets or sizes beyond the
    ///   file, overlapping or repeated members, bad CRC), `.unsupported` for compressed,
    ///   encrypted, multi-disk or zip64 files.
    public static func decode(_ data: Data, label: String) throws -> [(name: String, data: Data)] {
        let reader = try ZipReader(data: data, label: label)
        return try reader.entries.map { (name: $0.name, data: try reader.contents(of: $0)) }
    }
}
