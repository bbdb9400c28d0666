// An opened `.efx` file: the bytes memory-mapped read-only (or copied into 64-byte aligned
// memory for in-memory input), validated at open by EFXReader, and the sections handed out as
// views into the mapping without copying. The mapping lives as long as the EFXFile and every
// `Data` returned by `sectionData`.

import EFCore
import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A validated `.efx` file. Immutable after `init`, so safe to share between threads; the
/// only mutable state (which deferred sections were verified) is behind a lock.
public final class EFXFile: @unchecked Sendable {
    /// How the file's bytes are held.
    private enum Storage {
        case mapped
        case allocated
    }

    private let base: UnsafeRawPointer
    private let byteCount: Int
    private let storage: Storage
    private let sections: [EFXSectionInfo]
    private let lock = NSLock()
    private var unverified: Set<EFXSectionKind>

    /// The file's name in messages (its path, or the label given for in-memory input).
    public let label: String
    /// The container format version of the file (1).
    public let formatVersion: Int

    /// Maps the file at `url` read-only and validates it. Every section's checksum is verified
    /// now, except for the kinds in `deferredVerification`, which `verify(_:)` checks later
    /// (e.g. `[.weights]` to start faster and verify the weights on first use).
    /// - Throws: `EdgeflowError.io` when the file cannot be opened, is not a regular file or
    ///   cannot be mapped; `EdgeflowError.invalidArchive` when it is not a valid `.efx` file
    ///   (see EFXReader.swift for every check), with a message naming the file and the section.
    public convenience init(contentsOf url: URL, deferredVerification: Set<EFXSectionKind> = []) throws {
        let path = url.path
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else {
            throw EdgeflowError(.io, "\(path): cannot open the file (\(EFXFile.systemError()))",
                                hint: "check that the file exists and is readable")
        }
        defer { close(descriptor) }
        var status = stat()
        guard fstat(descriptor, &status) == 0 else {
            throw EdgeflowError(.io, "\(path): cannot read the file (\(EFXFile.systemError()))")
        }
        guard (status.st_mode & S_IFMT) == S_IFREG else {
            throw EdgeflowError(.io, "\(path): not a regular file", hint: "give the path of an .efx file")
        }
        let size = try CheckedSize.int(status.st_size, "\(path): the file size", kind: .io)
        guard size > 0 else {
            throw EdgeflowError(.invalidArchive, "\(path): the file is empty (an Edgeflow executable starts with a "
                                + "40-byte header)")
        }
        // MAP_POPULATE: every page is read once now (the checksums read them all anyway), one
        // call instead of a page fault per 4 KiB when the checksums and the weight packing walk it.
        guard let mapping = mmap(nil, size, PROT_READ, MAP_PRIVATE | EFXFile.populate, descriptor, 0),
              mapping != MAP_FAILED else {
            throw EdgeflowError(.io, "\(path): cannot map the file into memory (\(EFXFile.systemError()))")
        }
        do {
            try self.init(base: UnsafeRawPointer(mapping), count: size, storage: .mapped, label: path,
                          deferred: deferredVerification)
        } catch {
            munmap(mapping, size)
            throw error
        }
    }

    #if canImport(Glibc)
    private static let populate = MAP_POPULATE
    #else
    private static let populate: Int32 = 0
    #endif

    /// Validates an `.efx` file held in memory (tests, fuzzing); the bytes are copied once into
    /// 64-byte aligned memory so that sections are aligned as in a mapped file.
    /// - Parameter label: names the input in messages.
    /// - Throws: `EdgeflowError.invalidArchive` as `init(contentsOf:)`.
    public convenience init(data: Data, label: String, deferredVerification: Set<EFXSectionKind> = []) throws {
        let memory = UnsafeMutableRawPointer.allocate(byteCount: max(data.count, 1), alignment: EFXFormat.alignment)
        data.withUnsafeBytes { source in
            if let from = source.baseAddress { memory.copyMemory(from: from, byteCount: source.count) }
        }
        do {
            try self.init(base: UnsafeRawPointer(memory), count: data.count, storage: .allocated, label: label,
                          deferred: deferredVerification)
        } catch {
            memory.deallocate()
            throw error
        }
    }

    private init(base: UnsafeRawPointer, count: Int, storage: Storage, label: String,
                 deferred: Set<EFXSectionKind>) throws {
        let bytes = UnsafeRawBufferPointer(start: base, count: count)
        sections = try EFXReader.read(bytes, label: label, deferring: deferred)
        formatVersion = Int(bytes.littleEndianUInt32(at: 8))
        unverified = deferred.intersection(sections.map(\.kind))
        self.base = base
        self.byteCount = count
        self.storage = storage
        self.label = label
    }

    deinit {
        switch storage {
        case .mapped: munmap(UnsafeMutableRawPointer(mutating: base), byteCount)
        case .allocated: UnsafeMutableRawPointer(mutating: base).deallocate()
        }
    }

    /// The kinds of the sections, in table order.
    public var sectionKinds: [EFXSectionKind] { sections.map(\.kind) }

    /// What the table says about every section, in table order.
    public var sectionInfos: [EFXSectionInfo] { sections }

    /// The whole file's size in bytes.
    public var fileSize: Int { byteCount }

    /// The table entry of the section of `kind`, or nil.
    public func info(_ kind: EFXSectionKind) -> EFXSectionInfo? { sections.first { $0.kind == kind } }

    /// The bytes of the section of `kind` (64-byte aligned, valid while this EFXFile lives), or
    /// nil when the file has none. A section whose verification was deferred is returned
    /// unverified until `verify(_:)` has succeeded.
    public func section(_ kind: EFXSectionKind) -> UnsafeRawBufferPointer? {
        guard let info = info(kind) else { return nil }
        return UnsafeRawBufferPointer(start: base + info.offset, count: info.length)
    }

    /// The bytes of the section of `kind` as `Data` without copying; the `Data` keeps this file
    /// (and its mapping) alive. Nil when the file has no such section.
    public func sectionData(_ kind: EFXSectionKind) -> Data? {
        guard let info = info(kind) else { return nil }
        guard info.length > 0 else { return Data() }
        return Data(bytesNoCopy: UnsafeMutableRawPointer(mutating: base + info.offset), count: info.length,
                    deallocator: .custom { _, _ in withExtendedLifetime(self) {} })
    }

    /// Verifies the checksum of the section of `kind` if that was deferred at open (a no-op for
    /// sections already verified and for kinds the file does not hold). Thread-safe.
    /// - Throws: `EdgeflowError.invalidArchive` "FILE: section WGHT (weights): checksum mismatch …".
    public func verify(_ kind: EFXSectionKind) throws {
        lock.lock()
        defer { lock.unlock() }
        guard unverified.contains(kind), let info = info(kind) else { return }
        try EFXReader.verify(info, in: UnsafeRawBufferPointer(start: base, count: byteCount), label: label)
        unverified.remove(kind)
    }

    private static func systemError() -> String { String(cString: strerror(errno)) }
}
