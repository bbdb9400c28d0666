// Pulls a model folder from a hub: the listing is read and checked, its layout recognized
// (RepositoryLayout: CLIP, or a detector/recognizer pair), the needed files chosen, the folder
// locked against a second pull, the free space checked, then each file is downloaded into
// PATH.partial (resumed after an interruption, a few attempts per run), checked against its size
// and digest, and only when every file is complete are the partial files renamed to their names,
// the layout's completion marker (config.json for CLIP) last — so a folder never looks like a
// model before all of it is there and checked.

import EFCore
import Foundation

/// What a pull reports while it works.
public enum PullEvent: Sendable {
    /// A file's transfer starts, after `resumingAt` bytes already present in its partial file.
    case started(path: String, size: Int, resumingAt: Int)
    /// `bytes` of the file are now on disk.
    case progress(path: String, bytes: Int, size: Int)
    /// The transfer stopped at `bytes`; the next attempt continues from there.
    case retrying(path: String, bytes: Int, reason: String)
    /// The file was downloaded and checked (`downloaded` bytes came over the network in this run).
    case fetched(path: String, size: Int, downloaded: Int)
    /// The file was already in place with the right digest.
    case kept(path: String, size: Int)
}

/// One file of a pull and what is on disk for it.
public struct PlannedFile: Sendable {
    /// The file as the listing describes it.
    public var file: HubFile
    /// Bytes of it already downloaded (in its final place when `complete`, else in its partial file).
    public var bytesPresent: Int
    /// True when the file is in place with the listing's size (its digest is checked during the pull).
    public var complete: Bool
}

/// A model pull: where from, where to, and what it takes.
public struct ModelPull: Sendable {
    /// Where the model comes from.
    public var repository: HubRepository
    /// The model's folder (MODELS/NAME).
    public var folder: URL
    /// Attempts per file in one run before giving up (each continues where the last stopped).
    public var attempts = 3
    /// Seconds without any byte before a transfer counts as interrupted.
    public var timeout: TimeInterval = 60
    /// The files, in the order they are fetched and renamed (chosen by `init`).
    public private(set) var files: [PlannedFile] = []
    /// The kind of repository the listing shows.
    public let layout: RepositoryLayout

    /// Reads the repository's listing and chooses the files.
    /// - Throws: what `HubRepository.listing`, `RepositoryLayout.of` and `select` throw.
    public init(repository: HubRepository, folder: URL, timeout: TimeInterval = 60) throws {
        self.repository = repository
        self.folder = folder
        self.timeout = timeout
        let source = repository.listingURL.absoluteString
        let listing = try repository.listing(timeout: timeout)
        layout = try RepositoryLayout.of(listing, source: source)
        let selected = try layout.select(from: listing, source: source)
        files = selected.map { file in
            let final = Self.size(of: folder.appendingPathComponent(file.path))
            let partial = Self.size(of: folder.appendingPathComponent(file.path + ".partial"))
            if final == file.size { return PlannedFile(file: file, bytesPresent: file.size, complete: true) }
            return PlannedFile(file: file, bytesPresent: min(partial ?? 0, file.size), complete: false)
        }
    }

    /// The model's whole size.
    public var totalBytes: Int { files.reduce(0) { $0 + $1.file.size } }
    /// What remains to download.
    public var bytesToDownload: Int { files.reduce(0) { $0 + $1.file.size - $1.bytesPresent } }

    /// Downloads what is missing and checks every file.
    /// - Parameter reserve: bytes that must stay free beyond the download (the compiled executables).
    /// - Throws: `EdgeflowError.io` while another process pulls into the folder, for too little space
    ///   or a transfer that failed `attempts` times,
    ///   `.invalidModel` for a file whose digest is not the listing's (its partial file is deleted).
    public func run(reserve: Int, events: (PullEvent) -> Void) throws {
        let lock = try FolderLock(folder, purpose: "pull of \(repository.name)")
        defer { lock.release() }
        if bytesToDownload > 0 {
            try DiskSpace.require(bytesToDownload + reserve, at: folder, for: "pulling \(repository.name)")
        }
        var verified: [(partial: URL, final: URL)] = []
        for planned in files {
            let file = planned.file
            let final = folder.appendingPathComponent(file.path)
            if Self.size(of: final) == file.size, try file.digest.actualHex(ofFileAt: final, size: file.size)
                == file.digest.hex {
                events(.kept(path: file.path, size: file.size))
                continue
            }
            let partial = folder.appendingPathComponent(file.path + ".partial")
            try create(final.deletingLastPathComponent())
            let download = ResumableDownload(url: repository.fileURL(file.path), partial: partial, size: file.size,
                                             name: file.path, timeout: timeout)
            let received = try fetch(download, events: events)
            try check(file, at: partial)
            events(.fetched(path: file.path, size: file.size, downloaded: received))
            verified.append((partial, final))
        }
        for (partial, final) in verified where rename(partial.path, final.path) != 0 {
            throw EdgeflowError(.io, "cannot rename \(partial.path) to \(final.lastPathComponent): "
                                    + String(cString: strerror(errno)))
        }
    }

    /// Runs the transfer, again after each interruption, up to `attempts` times.
    /// - Returns: the bytes that came over the network (a restarted file counts again).
    private func fetch(_ download: ResumableDownload, events: (PullEvent) -> Void) throws -> Int {
        var attempt = 1
        var received = 0
        while true {
            var last = try download.bytesPresent()
            events(.started(path: download.name, size: download.size, resumingAt: last))
            do {
                try download.run { offset in
                    last = min(last, offset)  // 0 when the server ignored the range: the file starts again
                    received += offset - last
                    last = offset
                    events(.progress(path: download.name, bytes: offset, size: download.size))
                }
                return received
            } catch let interrupted as TransferInterrupted {
                let reached = try download.bytesPresent()
                guard attempt < attempts else {
                    throw EdgeflowError(.io, "\(download.name): the download stopped at \(reached) of "
                                            + "\(download.size) bytes: \(interrupted.reason)",
                                        hint: "run the same command again: it continues where it stopped")
                }
                events(.retrying(path: download.name, bytes: reached, reason: interrupted.reason))
                attempt += 1
            }
        }
    }

    /// Compares the downloaded file's digest with the listing's; a mismatch deletes it.
    private func check(_ file: HubFile, at partial: URL) throws {
        let actual = try file.digest.actualHex(ofFileAt: partial, size: file.size)
        guard actual == file.digest.hex else {
            try? FileManager.default.removeItem(at: partial)
            throw EdgeflowError(.invalidModel, "\(file.path): expected \(file.digest), got \(actual)",
                                hint: "the server sent other bytes than its listing describes; the download was "
                                    + "deleted, nothing was installed")
        }
    }

    private func create(_ directory: URL) throws {
        do {
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        } catch {
            throw EdgeflowError(.io, "cannot create \(directory.path): \(error.localizedDescription)")
        }
    }

    private static func size(of url: URL) -> Int? {
        ((try? FileManager.default.attributesOfItem(atPath: url.path))?[.size] as? NSNumber)?.intValue
    }
}
