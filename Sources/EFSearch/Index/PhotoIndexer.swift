// Indexes photo folders into a library: scan, apply the scan (new, changed, moved, removed),
// then read and prepare the pending photos on worker threads while the calling thread runs the
// model on them in order (in groups of the model's image batch), committing every batch in one
// transaction. Killed at any moment, the library holds whole photos only; the next run does
// exactly what is still missing. An SQLite library hands over all pending photos at once; a
// shared PostgreSQL library hands out claimed batches, so several indexers (on several
// machines) share the work; the next batch is claimed while the last is still being embedded.

import EFCore
import EFVision
import Foundation

/// How an index run goes.
public struct IndexOptions: Sendable {
    /// Photos committed per transaction.
    public var commitEvery = 32
    /// Threads reading and preparing photos.
    public var preparers = 1
    /// When they prepare: beside the model, or in turns with it.
    public var schedule = PreparationSchedule.overlapped
    public var thumbnailSide = 256
    /// The decoder's pixel limit; 0 = the default.
    public var maxPixels = 0
    /// Reads the text in the photos (with the name it is recorded under), when set: `load` makes
    /// the reader, called once, on the first preparing thread (so the reader's models are built
    /// for that thread's one OpenMP thread, and start no pool beside the model's; see
    /// `PreparationQueue`); the preparing threads share it.
    public var textReader: (name: String, load: @Sendable () throws -> TextReader)?
    /// How a shared (PostgreSQL) library hands out photos; an SQLite library ignores it.
    public var claims = ClaimOptions()

    public init() {}
}

/// Progress of the reading/embedding phase.
public struct IndexProgress: Sendable {
    public var done: Int
    public var total: Int
    public var embedded: Int
    public var failed: Int
    public var seconds: Double
}

/// What a run did.
public struct IndexReport: Sendable {
    public var run: Int64
    public var scan: ScanChanges
    public var skippedOther: Int
    public var embedded: Int
    /// Photos the text reader read, and how many of them had text.
    public var textRead = 0
    public var withText = 0
    /// Photos that could not be read, with the reason.
    public var failures: [(path: String, reason: String)]
    /// Photos that were gone when their turn came (a folder unmounted mid-run): left pending.
    public var vanished: [String] = []
    public var seconds: Double
    /// Seconds of the reading and embedding phase alone (after the scan and the model's loading).
    public var embeddingSeconds: Double
    /// The model's name, and whether its old vectors were dropped because its weights changed.
    public var model: String?
    public var modelReset: Bool
}

public final class PhotoIndexer {
    let library: any PhotoStore
    let model: CLIPModel?
    let options: IndexOptions

    public init(library: any PhotoStore, model: CLIPModel?, options: IndexOptions = IndexOptions()) {
        self.library = library
        self.model = model
        self.options = options
    }

    /// Indexes `folders`, reporting progress after each photo.
    /// - Throws: `EdgeflowError` for a library that cannot be written or a model that fails;
    ///   photos that cannot be read are reported, not thrown.
    public func run(folders: [String], progress: (IndexProgress) -> Void = { _ in }) throws -> IndexReport {
        try run(scan: PhotoScanner.scan(folders), progress: progress)
    }

    /// Indexes what `scan` found (made by `PhotoScanner.scan`; the folders may have changed
    /// since: a photo gone by the time it is read stays pending for the next run).
    public func run(scan: FolderScan, progress: (IndexProgress) -> Void = { _ in }) throws -> IndexReport {
        let start = DispatchTime.now().uptimeNanoseconds
        let run = try library.beginRun(folders: scan.roots, model: model?.embeddingName)
        let changes = try library.applyScan(scan.files, folders: scan.roots, unavailable: scan.unreadable.map(\.path),
                                            run: run) { path in
            (try? Data(contentsOf: URL(fileURLWithPath: path))).map { PhotoPreparation.contentHash([UInt8]($0)) }
        }
        let registered = try model.map { try library.registerModel(name: $0.embeddingName, dimension: $0.dimension,
                                                                     fingerprint: $0.fingerprint) }
        let readerName = options.textReader?.name
        let work = try library.pendingWork(under: scan.roots, modelID: registered?.id, textReader: readerName,
                                           claims: options.claims)
        var preparation = PhotoPreparation(model: model)
        preparation.thumbnailSide = options.thumbnailSide
        if options.maxPixels > 0 { preparation.maxPixels = options.maxPixels }
        let phaseStart = DispatchTime.now().uptimeNanoseconds
        var report = IndexReport(run: run, scan: changes, skippedOther: scan.skippedOther, embedded: 0, failures: [],
                                 seconds: 0, embeddingSeconds: 0, model: model?.embeddingName,
                                 modelReset: registered?.reset ?? false)
        var done = 0, batch: [IndexedPhoto] = []
        let reader = options.textReader.map { SharedTextReader(load: $0.load) }
        let queue = PreparationQueue(workers: max(1, options.preparers), schedule: options.schedule,
                                     source: work.next) { [preparation] in
            var mine = preparation
            mine.reader = try reader?.get()
            return mine.prepare
        }
        defer { queue.stop() }
        // Photos go to the model in groups of its image batch (one by one without a batch executable).
        let group = max(1, model?.visualRuns.batchSize ?? 1)
        var taken: [(item: PendingPhoto, prepared: PreparedPhoto)] = []
        repeat {
            taken.removeAll(keepingCapacity: true)
            while taken.count < group, let next = try queue.take(done + taken.count) { taken.append(next) }
            var prepared = taken.map(\.prepared)
            if let model, !prepared.isEmpty {
                report.embedded += try Self.embed(&prepared, with: model)
            }
            for (photo, pending) in zip(prepared, taken.map(\.item)) {
                if let text = photo.result.text {
                    report.textRead += 1
                    if !text.isEmpty { report.withText += 1 }
                }
                if photo.vanished {
                    report.vanished.append(pending.path)  // not stored: the next run reads it again
                } else {
                    if let error = photo.result.error { report.failures.append((pending.path, error)) }
                    batch.append(photo.result)
                }
                if batch.count >= options.commitEvery {
                    try library.store(batch, modelID: registered?.id, textReader: readerName)
                    batch.removeAll(keepingCapacity: true)
                }
                done += 1
                progress(IndexProgress(done: done, total: max(work.total, done), embedded: report.embedded,
                                       failed: report.failures.count, seconds: Self.seconds(since: start)))
            }
        } while taken.count == group
        if !batch.isEmpty { try library.store(batch, modelID: registered?.id, textReader: readerName) }
        try work.finish()
        report.seconds = Self.seconds(since: start)
        report.embeddingSeconds = Self.seconds(since: phaseStart)
        try library.finishRun(run, status: "complete", changes: changes,
                              embedded: report.embedded, failed: report.failures.count)
        return report
    }

    /// Embeds the photos of `prepared` that have a model input, in one call (batched by the
    /// model); returns how many.
    private static func embed(_ prepared: inout [PreparedPhoto], with model: CLIPModel) throws -> Int {
        let inputs = prepared.indices.compactMap { index in prepared[index].tensor.map { (index, $0) } }
        let embeddings = try model.embed(imageTensors: inputs.map(\.1))
        for ((index, _), embedding) in zip(inputs, embeddings) { prepared[index].result.embedding = embedding }
        return inputs.count
    }

    static func seconds(since start: UInt64) -> Double {
        Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
    }
}

/// A text reader made by the first thread that asks for it, then shared.
private final class SharedTextReader: @unchecked Sendable {
    private let load: @Sendable () throws -> TextReader
    private let lock = NSLock()
    private var made: Result<TextReader, Error>?

    init(load: @escaping @Sendable () throws -> TextReader) { self.load = load }

    /// The reader (made now by the first caller, the others waiting for it); what `load` threw.
    func get() throws -> TextReader {
        try lock.withLock {
            if made == nil { made = Result { try load() } }
            return try made!.get()
        }
    }
}
