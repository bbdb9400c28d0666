// What a folder scan changes, decided apart from any database: which known photos are
// unchanged, changed (size or mtime) or moved (a new file with a missing photo's size and
// content hash), which files are new and which photos are gone. Both library backends apply
// the same plan, each in its own transaction.

import Foundation

/// A photo row as a scan compares it with the files found.
struct StoredFile {
    var id: Int64
    var path: String
    var size: Int
    var mtimeNanoseconds: Int64
    var contentHash: String?
}

/// The changes a scan makes, in file order (added photos get ids in that order).
struct ScanPlan {
    var unchanged: [Int64] = []
    var changed: [(id: Int64, file: ScannedFile)] = []
    var moved: [(id: Int64, file: ScannedFile)] = []
    var added: [ScannedFile] = []
    var removed: [Int64] = []
    var changes = ScanChanges()

    /// Compares `files` (everything found under `folders`) with `stored` (the photos the
    /// library holds; those outside `folders` are ignored). Photos under `unavailable` folders
    /// are kept even when not found. `contentHash` is called only for a new file whose size
    /// equals a missing photo's.
    init(files: [ScannedFile], stored: [StoredFile], folders: [String], unavailable: [String],
         contentHash: (String) -> String?) {
        changes.found = files.count
        changes.unavailableFolders = unavailable
        var byPath: [String: StoredFile] = [:]
        for photo in stored where PhotoLibrary.isUnder(photo.path, folders) { byPath[photo.path] = photo }
        let foundPaths = Set(files.map(\.path))
        var missing = MissingPhotos(byPath.values.filter {
            !foundPaths.contains($0.path) && !PhotoLibrary.isUnder($0.path, unavailable)
        })
        for file in files {
            if let photo = byPath[file.path] {
                if photo.size != file.size || photo.mtimeNanoseconds != file.mtimeNanoseconds {
                    changed.append((photo.id, file))
                } else {
                    unchanged.append(photo.id)
                }
            } else if let id = missing.take(sameAs: file, contentHash) {
                moved.append((id, file))
            } else {
                added.append(file)
            }
        }
        removed = missing.remaining.sorted()
        changes.changed = changed.count
        changes.moved = moved.count
        changes.added = added.count
        changes.removed = removed.count
    }
}

/// The photos of a scan that were not found, by size, for noticing moves.
private struct MissingPhotos {
    private var hashesBySize: [Int: [(id: Int64, hash: String)]] = [:]
    private(set) var remaining: Set<Int64> = []

    init(_ photos: [StoredFile]) {
        for photo in photos {
            remaining.insert(photo.id)
            if let hash = photo.contentHash { hashesBySize[photo.size, default: []].append((photo.id, hash)) }
        }
    }

    /// The id of a missing photo with the same size and content as `file` (taken off the list).
    mutating func take(sameAs file: ScannedFile, _ contentHash: (String) -> String?) -> Int64? {
        guard let candidates = hashesBySize[file.size], candidates.contains(where: { remaining.contains($0.id) }),
              let hash = contentHash(file.path),
              let match = candidates.first(where: { $0.hash == hash && remaining.contains($0.id) }) else { return nil }
        remaining.remove(match.id)
        return match.id
    }
}
