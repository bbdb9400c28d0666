// `edgeflow photos index`: scan folders into the library and embed what is missing.

import ArgumentParser
import EFCore
import EFSearch
import EdgeflowRuntime
import Foundation

struct PhotosIndexCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "index",
        abstract: "Index photo folders: metadata, thumbnails, CLIP embeddings and text, incrementally.",
        discussion: """
            Walks the folders recursively (JPEG, PNG, WebP, HEIC/HEIF, GIF, TIFF, camera RAW; hidden files \
            and symbolic links are skipped). A photo is known by its path, size and modification \
            time; a file that moved keeps its embedding (same size and content hash). Photos \
            that are gone from a scanned folder are forgotten; a folder that cannot be read keeps \
            its photos. Unreadable photos are counted and listed, never fatal, and are retried \
            when the file changes.

            Each batch of photos is committed in one transaction, so the run can be killed at \
            any moment: the next run embeds only what is missing. Photos are read and prepared \
            (reduced decoding, thumbnails, the model's input) on --preparers threads, \
            either while the model runs (--schedule overlapped) or in turns with it, 64 to 128 \
            photos at a time (alternating). By default (auto) they alternate when the model's \
            threads and the preparers would need more cores than the machine has: a preparer that \
            preempts one of the model's threads stalls them all.

            Without a CLIP model, only metadata, thumbnails and text are indexed; a later run \
            with --model embeds what is missing.

            The text in the photos is read with PP-OCR (--ocr DIR, or a PP-OCRv4 or PP-OCRv5_mobile \
            folder in $EDGEFLOW_MODELS or ~/.cache/edgeflow/models, as `edgeflow models pull \
            PP-OCRv5_mobile` puts it) for `photos search --text-in-photo`: \
            as Immich reads it, the detector sees each photo with its shorter side scaled to \
            --ocr-resolution pixels (never enlarged), so text smaller than about 1/60 of the \
            photo's shorter side is not found.
            """)

    @Argument(help: "The folders (or single photos) to index.")
    var folders: [String]

    @OptionGroup var library: LibraryOptions
    @OptionGroup var model: ModelFolderOption
    @OptionGroup var ocr: TextReaderOptions

    @Option(help: ArgumentHelp("Threads for the model (1…1024).", valueName: "n"))
    var threads: Int?

    @Option(help: ArgumentHelp("Photos per run of the CLIP image tower (1…64; default 2). From 2 on the fp32 tower "
                               + "is compiled a second time for the batch (visual/model-bB.efx, checked against "
                               + "single runs; one by one when it cannot be); an int8 tower runs one at a time.",
                               valueName: "n"))
    var batch = 2

    @Option(help: ArgumentHelp("Threads reading and preparing photos (1…64; default 1 beside the model, as many "
                               + "as the model's threads in turns with it).", valueName: "n"))
    var preparers: Int?

    @Option(help: ArgumentHelp("When photos are prepared: auto, overlapped (while the model runs) or alternating "
                               + "(while it waits).", valueName: "schedule"))
    var schedule = "auto"

    @Option(help: ArgumentHelp("With a postgres:// library: photos each worker claims at a time (1…10000).",
                               valueName: "n"))
    var claimBatch = 64

    @Option(help: ArgumentHelp("With a postgres:// library: seconds after which a crashed worker's claims are "
                               + "taken over (1…86400).", valueName: "seconds"))
    var lease = 600.0

    @Flag(help: "Print JSON lines: progress events, then the summary.")
    var json = false

    func validate() throws {
        if folders.isEmpty { throw ValidationError("give at least one folder to index") }
        if let threads, !(1...1024).contains(threads) { throw ValidationError("--threads must be in 1…1024") }
        if !(1...64).contains(batch) { throw ValidationError("--batch must be in 1…64") }
        if let preparers, !(1...64).contains(preparers) { throw ValidationError("--preparers must be in 1…64") }
        if schedule != "auto", PreparationSchedule(rawValue: schedule) == nil {
            throw ValidationError("--schedule must be auto, overlapped or alternating, not '\(schedule)'")
        }
        if !(1...10_000).contains(claimBatch) { throw ValidationError("--claim-batch must be in 1…10000") }
        if !(1...86_400).contains(lease) { throw ValidationError("--lease must be in 1…86400 seconds") }
    }

    func run() throws {
        try CommandSupport.run {
            if let threads { EdgeflowModel.setThreadCount(threads) }
            let photos = try library.open(create: true)
            let clip = try model.resolved.map { try model.load($0, visualBatch: batch) }
            if clip == nil {
                FileHandle.standardError.write(Data(("note: no CLIP model (--model DIR, or a ViT-B-32__openai folder "
                    + "in $EDGEFLOW_MODELS or ~/.cache/edgeflow/models): indexing metadata, thumbnails and text "
                    + "only; a later run with a model embeds what is missing (edgeflow models pull ViT-B-32__openai)"
                    + "\n").utf8))
            }
            var options = IndexOptions()
            (options.schedule, options.preparers) = preparation(modelThreads: EdgeflowModel.threadCount)
            options.claims = ClaimOptions(batch: claimBatch, leaseSeconds: lease)
            options.textReader = try ocr.loader()
            let indexer = PhotoIndexer(library: photos, model: clip, options: options)
            let progress = ProgressLine("indexing", unit: "photos")
            var lastEvent = 0.0
            let report = try indexer.run(folders: folders) { step in
                if json {
                    guard step.seconds - lastEvent >= 0.5 || step.done == step.total else { return }
                    lastEvent = step.seconds
                    printLine(["event": "progress", "done": step.done, "total": step.total,
                               "embedded": step.embedded, "failed": step.failed, "seconds": step.seconds])
                } else {
                    progress.update(step.done, of: step.total)
                }
            }
            var summary = summary(report, library: photos.location)
            summary["schedule"] = options.schedule.rawValue
            summary["preparers"] = options.preparers
            json ? printLine(summary) : printText(report, library: photos.location)
        }
    }

    /// The schedule and preparer count: auto alternates when the model's threads and one
    /// preparer (or the ones asked for) need more cores than there are; alternating preparers
    /// default to the model's threads (at most the cores).
    private func preparation(modelThreads: Int) -> (PreparationSchedule, Int) {
        let cores = ProcessInfo.processInfo.activeProcessorCount
        let chosen = PreparationSchedule(rawValue: schedule)
            ?? (modelThreads + (preparers ?? 1) > cores ? .alternating : .overlapped)
        return (chosen, preparers ?? (chosen == .alternating ? min(64, max(1, min(modelThreads, cores))) : 1))
    }

    private func summary(_ report: IndexReport, library: String) -> [String: Any] {
        let changes = report.scan
        return ["event": "done", "library": library, "run": report.run, "model": report.model ?? NSNull(),
                "found": changes.found, "added": changes.added, "changed": changes.changed, "moved": changes.moved,
                "removed": changes.removed, "embedded": report.embedded, "textRead": report.textRead,
                "withText": report.withText, "skippedOther": report.skippedOther,
                "unreadableFolders": changes.unavailableFolders, "seconds": report.seconds,
                "embeddingSeconds": report.embeddingSeconds,
                "modelReset": report.modelReset, "vanished": report.vanished,
                "failures": report.failures.map { ["path": $0.path, "reason": $0.reason] }]
    }

    private func printText(_ report: IndexReport, library: String) {
        let changes = report.scan
        print("library \(library): run \(report.run)")
        print("  found \(changes.found) photos: \(changes.added) new, \(changes.changed) changed, "
              + "\(changes.moved) moved, \(changes.removed) removed")
        if let model = report.model {
            let rate = report.embeddingSeconds > 0 ? Double(report.embedded) / report.embeddingSeconds : 0
            print(String(format: "  embedded %d with %@ in %.1f s (%.1f photos/s; %.1f s in all)", report.embedded,
                         model, report.embeddingSeconds, rate, report.seconds))
            if report.modelReset { print("  note: \(model)'s weights changed: its old embeddings were dropped") }
        }
        if report.textRead > 0 {
            print("  read the text of \(report.textRead) photos: \(report.withText) show text")
        }
        if report.skippedOther > 0 { print("  skipped \(report.skippedOther) files that are not photos") }
        for folder in changes.unavailableFolders { print("  folder could not be read (its photos kept): \(folder)") }
        if !report.vanished.isEmpty {
            print("  \(report.vanished.count) photos were gone when their turn came; the next run reads them")
        }
        if !report.failures.isEmpty {
            print("  \(report.failures.count) photos could not be read:")
            for failure in report.failures.prefix(20) { print("    \(failure.path): \(failure.reason)") }
            if report.failures.count > 20 { print("    … (edgeflow photos list shows them all)") }
        }
    }
}

/// Prints one JSON object on one line (JSON-lines output for scripts).
func printLine(_ object: [String: Any]) {
    guard let data = try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys]) else { return }
    print(String(decoding: data, as: UTF8.self))
    fflush(stdout)
}
