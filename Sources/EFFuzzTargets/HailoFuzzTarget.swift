// Fuzz target of EFHailo: arbitrary bytes as a Hailo HEF file. Checksums are not verified, so
// mutations reach the proto decoder and the stream rules instead of stopping at the hash; the
// header's size checks still apply. Seeds (Fuzz/seeds/hef) are real protos in small files.

import EFCore
import EFHailo
import Foundation

enum HailoFuzzTargets {
    static let all: [FuzzTarget] = [hef]

    static let hef = FuzzTarget(name: "hef",
        summary: "a HEF file → HEFFile (checksums not verified) and its text description") { data in
        let file = try HEFFile(data: data, label: "fuzz", verifyChecksums: false)
        _ = file.description.textLines
    }
}
