// Fuzz targets of photo search's readers: the EXIF capture-date reader (the input is a photo
// file, any format) and the photo library (the input is written to a scratch file and opened as
// a library, then every read query runs: the listing, the dates, each model's embeddings).

import EFCore
import EFMedia
import EFSearch
import Foundation

enum SearchFuzzTargets {
    static let all: [FuzzTarget] = [photoMetadata, photoLibrary]

    static let photoMetadata = FuzzTarget(name: "photo-metadata",
        summary: "a photo file → PhotoMetadata.captureDate (EXIF in JPEG APP1, PNG eXIf, WebP EXIF, TIFF)") { data in
        _ = PhotoMetadata.captureDate(in: [UInt8](data))
    }

    static let photoLibrary = FuzzTarget(name: "photo-library",
        summary: "an SQLite file → PhotoLibrary(path:create: false), listing, capture dates, embeddings") { data in
        let url = FileManager.default.temporaryDirectory
            .appendingPathComponent("edgeflow-fuzz-library-\(getpid()).sqlite")
        let sidecars = ["", "-wal", "-shm"].map { URL(fileURLWithPath: url.path + $0) }
        defer { for file in sidecars { try? FileManager.default.removeItem(at: file) } }
        for file in sidecars { try? FileManager.default.removeItem(at: file) }
        try data.write(to: url)
        let library = try PhotoLibrary(path: url.path, create: false)
        _ = try library.listing()
        _ = try library.captureDates()
        for model in try library.models() { _ = try library.embeddings(model: model.name) }
    }
}
