// `edgeflow photos search`: text → photo, photo → photo, negative prompts and date filters.

import ArgumentParser
import EFCore
import EFSearch
import EdgeflowRuntime
import Foundation

struct PhotosSearchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "search",
        abstract: "Search the library by text, by an example photo, with negative prompts and dates.",
        discussion: """
            The query vector is the CLIP embedding of the text and/or of the --like photo, minus \
            those of the --not texts (rclip's arithmetic), normalized; every photo the model \
            embedded is scored by cosine similarity, within the date range. Texts longer than \
            the model's 77 tokens are cut, as CLIP does (a note says so). Without a text or \
            --like, the photos in the date range are listed newest first.

            --text-in-photo keeps only photos whose text (read by `photos index` with a \
            text-reading model) holds every given word, in any order, ignoring case and accents; \
            alone, it lists them best match first.

            Dates are the EXIF capture date, else the file's modification time.

            Examples:
              edgeflow photos search "a dog on a beach" --not "people" --limit 20
              edgeflow photos search --like holiday/IMG_0042.jpg --after 2023-06 --before 2023-09
              edgeflow photos search "sunset" --sort date --min-score 0.2 --json
              edgeflow photos search --text-in-photo "gate 12"
            """)

    @Argument(help: "What to find, in words.")
    var query: String?

    @Option(name: .customLong("not"), help: ArgumentHelp("A text whose meaning to push away (repeatable).",
                                                         valueName: "text"))
    var negatives: [String] = []

    @Option(help: ArgumentHelp("An example photo: find photos like it.", valueName: "photo"))
    var like: String?

    @Option(help: ArgumentHelp("Only photos showing these words (read by the text reader).", valueName: "words"))
    var textInPhoto: String?

    @Option(help: ArgumentHelp("Only photos taken on or after this date.", valueName: "YYYY-MM-DD"))
    var after: String?

    @Option(help: ArgumentHelp("Only photos taken before this date.", valueName: "YYYY-MM-DD"))
    var before: String?

    @Option(help: ArgumentHelp("Drop results whose cosine similarity is below this (-1…1).", valueName: "s"))
    var minScore: Float?

    @Option(help: ArgumentHelp("How many results (1…10000).", valueName: "k"))
    var limit = 20

    @Option(help: ArgumentHelp("Order the results by score or by date (newest first).", valueName: "score|date"))
    var sort = "score"

    @Flag(help: "Scan int8-compressed vectors and rescore the best exactly (faster on large libraries).")
    var compressed = false

    @OptionGroup var library: LibraryOptions
    @OptionGroup var model: ModelFolderOption

    @Option(help: ArgumentHelp("Threads for the text tower and the scan (1…1024).", valueName: "n"))
    var threads: Int?

    @Flag(help: "Print machine-readable JSON.")
    var json = false

    func validate() throws {
        if let query, query.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty {
            throw ValidationError("the query text is empty")
        }
        if let textInPhoto, textInPhoto.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty {
            throw ValidationError("--text-in-photo is empty")
        }
        if let minScore, !(-1...1).contains(minScore) { throw ValidationError("--min-score must be in -1…1") }
        if !(1...10_000).contains(limit) { throw ValidationError("--limit must be in 1…10000") }
        if SearchQuery.Order(rawValue: sort) == nil { throw ValidationError("--sort must be score or date") }
        if let threads, !(1...1024).contains(threads) { throw ValidationError("--threads must be in 1…1024") }
    }

    private struct Hit: Encodable {
        var rank: Int
        var id: Int64
        var path: String
        var score: Float?
        var date: String
        var text: String?
        var width: Int?
        var height: Int?
    }

    private struct Output: Encodable {
        var library: String
        var model: String?
        var scanned: Int
        var notes: [String]
        /// Loading the model's towers; opening the library and loading its vectors; the query's
        /// embedding; the scan.
        var modelSeconds: Double
        var librarySeconds: Double
        var embedSeconds: Double
        var scanSeconds: Double
        var results: [Hit]
    }

    func run() throws {
        try CommandSupport.run {
            if let threads { EdgeflowModel.setThreadCount(threads) }
            let start = Date()
            let photos = try library.open(create: false)
            let needsModel = query != nil || like != nil
            let clip = needsModel ? try model.resolved.map { try model.load($0) } : nil
            let modelLoaded = Date()
            if needsModel, clip == nil {
                throw EdgeflowError(.invalidArgument, "searching by text or example needs a CLIP model",
                                    hint: "give --model DIR, the folder the library was indexed with")
            }
            let search = try PhotoSearch(library: photos, model: clip)
            let loaded = Date()
            var request = SearchQuery()
            request.text = query
            request.negatives = negatives
            request.likePhoto = like
            request.textInPhoto = textInPhoto
            request.after = after
            request.before = before
            request.minScore = minScore
            request.limit = limit
            request.order = SearchQuery.Order(rawValue: sort) ?? .score
            request.compressed = compressed
            let found = try search.search(request)
            let results = found.hits.enumerated().map { index, hit in
                Hit(rank: index + 1, id: hit.photo.id, path: hit.photo.path, score: hit.score, date: hit.date,
                    text: hit.text, width: hit.photo.width, height: hit.photo.height)
            }
            let output = Output(library: photos.location, model: clip?.embeddingName, scanned: search.vectorCount,
                                notes: found.notes, modelSeconds: modelLoaded.timeIntervalSince(start),
                                librarySeconds: loaded.timeIntervalSince(modelLoaded),
                                embedSeconds: found.embedSeconds, scanSeconds: found.scanSeconds, results: results)
            if json { try CommandSupport.printJSON(output) } else { printText(output) }
        }
    }

    private func printText(_ output: Output) {
        for note in output.notes { FileHandle.standardError.write(Data("note: \(note)\n".utf8)) }
        for hit in output.results {
            let score = hit.score.map { String(format: "%.4f", $0) } ?? "-"
            print("\(String(hit.rank).padding(toLength: 4, withPad: " ", startingAt: 0)) \(score)  "
                  + "\(hit.date.prefix(10))  \(hit.path)")
            if let text = hit.text { print("      text: " + text.split(separator: "\n").joined(separator: " · ")) }
        }
        let scanned = output.model.map { " among \(output.scanned) photos embedded by \($0)" } ?? ""
        print(String(format: "%d results%@ (model %.0f ms, library %.0f ms, query %.0f ms, scan %.1f ms)",
                     output.results.count, scanned, output.modelSeconds * 1000, output.librarySeconds * 1000,
                     output.embedSeconds * 1000, output.scanSeconds * 1000))
    }
}
