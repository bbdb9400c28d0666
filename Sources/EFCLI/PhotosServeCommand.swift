// `edgeflow photos serve`: the library as a web page (search box, thumbnails, full view, "more
// like this") and its JSON API, served by EFPhotoServer until Ctrl-C or SIGTERM.

import ArgumentParser
import EFCore
import EFPhotoServer
import EFSearch
import Foundation

struct PhotosServeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Serve the library as a web page and a JSON API (127.0.0.1 only by default).",
        discussion: """
            Open the address it prints (on stderr) in a browser: a search box, "not" terms, dates, a \
            grid of thumbnails; click one for the photo, its path and date, and "more like this". \
            Everything is served by this process, nothing comes from the network. Without a model, \
            only dates can be searched. Photos an indexer embeds (or re-embeds, or forgets) while the \
            server runs are searched from the first query --refresh seconds after the last check. \
            A PostgreSQL library is read over one connection per core plus one, so thumbnails are \
            not held up by a search reloading the vectors. Ctrl-C or SIGTERM stops it.

            The API: GET /api/search?q=&not=&like=ID&after=&before=&min=&limit=&sort=, \
            /api/photos/ID/thumbnail, /api/photos/ID/image, /api/status.

            Binding another address than 127.0.0.1 (--host 0.0.0.0) shows the library to the \
            network, without any login.

            Examples:
              edgeflow photos serve
              edgeflow photos serve --library ~/photos.sqlite --model models/ViT-B-32__openai --port 8090
              edgeflow photos serve --port 0      (any free port; the address is printed)
            """)

    @OptionGroup var library: LibraryOptions
    @OptionGroup var model: ModelFolderOption

    @Option(help: ArgumentHelp("The address to listen on.", valueName: "address"))
    var host = "127.0.0.1"

    @Option(help: ArgumentHelp("The port (0…65535; 0 picks a free one).", valueName: "port"))
    var port = 8080

    @Option(help: ArgumentHelp("Seconds between checks of the library for newly embedded photos (0: never).",
                               valueName: "seconds"))
    var refresh = 2.0

    @Flag(help: "Scan int8-compressed vectors and rescore the best exactly (faster on large libraries).")
    var compressed = false

    func validate() throws {
        if !(0...65535).contains(port) { throw ValidationError("--port must be in 0…65535") }
        if !refresh.isFinite || !(0...86_400).contains(refresh) {
            throw ValidationError("--refresh must be 0…86400 seconds")
        }
        if host.isEmpty || host.utf8.count > 255 { throw ValidationError("--host must be an address") }
    }

    func run() throws {
        try CommandSupport.run {
            // Requests run on Swift's concurrency threads (one per core) and the search thread:
            // with a connection each, a PostgreSQL library's reads never wait for each other.
            let readers = ProcessInfo.processInfo.activeProcessorCount + 1
            let photos = try library.open(create: false, readConnections: readers)
            let resolved = model.resolved
            let server = try PhotoServer(library: photos, loadModel: { try resolved.map { try model.load($0) } },
                                         host: host, port: port, refreshSeconds: refresh > 0 ? refresh : nil,
                                         compressedScan: compressed)
            let note = server.model.map { "\(server.searchablePhotos) photos embedded by \($0.embeddingName)" }
                ?? "no CLIP model (give --model DIR): only dates can be searched"
            ServingLoop.say("note: \(note)")
            let path = photos.location
            try ServingLoop.run(address: "\(host):\(port)") {
                try await server.run { url in ServingLoop.say("serving \(path) at \(url.absoluteString)") }
            }
        }
    }
}
