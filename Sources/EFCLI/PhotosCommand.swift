// `edgeflow photos`: the photo-search verbs (index, list, search, serve) and the options they share.

import ArgumentParser
import EFSearch
import Foundation

struct PhotosCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "photos",
        abstract: "Index a photo library and search it by text, by example and by date.",
        discussion: """
            The library is one SQLite file (default \(PhotoLibrary.defaultPath), or --library): \
            the photos with their size, date and thumbnail, and one embedding per photo for each \
            CLIP model used. --library postgres://user@host/db keeps it in PostgreSQL instead, so \
            several machines index one photo share together (see docs/photo-search.md). \
            Indexing is incremental (only new or changed photos are read) and \
            resumable (a run killed at any moment loses nothing).

            A CLIP model is a folder in Immich's layout (visual/model.onnx, textual/model.onnx, \
            config.json); each tower is compiled into an executable beside it on first use. \
            Without --model, $EDGEFLOW_MODELS/ViT-B-32__openai or \
            ~/.cache/edgeflow/models/ViT-B-32__openai is used when present \
            (`edgeflow models pull ViT-B-32__openai` puts it there).

            Examples:
              edgeflow photos index ~/Pictures --model models/ViT-B-32__openai
              edgeflow photos search "a dog on a beach" --not "people" --limit 20
              edgeflow photos search --like ~/Pictures/2023/dog.jpg --after 2023-01-01
              edgeflow photos list --json
              edgeflow photos serve --model models/ViT-B-32__openai   (then open http://127.0.0.1:8080/)
            """,
        subcommands: [PhotosIndexCommand.self, PhotosListCommand.self, PhotosSearchCommand.self,
                      PhotosServeCommand.self])
}

/// Options every photos verb takes.
struct LibraryOptions: ParsableArguments {
    @Option(help: ArgumentHelp("The library: an SQLite file (created by `photos index` when missing), or a "
                                   + "postgres://user@host/db URL shared by several machines.", valueName: "file|url"))
    var library: String = PhotoLibrary.defaultPath

    /// The library, opened (created only when `create`; `readConnections` as `PhotoStores.open`).
    func open(create: Bool, readConnections: Int = 0) throws -> any PhotoStore {
        try PhotoStores.open(library, create: create, readConnections: readConnections)
    }
}

/// The `--model` option and how it resolves.
struct ModelFolderOption: ParsableArguments {
    @Option(help: ArgumentHelp("A CLIP model folder in Immich's layout (e.g. ViT-B-32__openai).", valueName: "dir"))
    var model: String?

    /// The folder to use: --model, else the default folder when it exists, else nil.
    var resolved: String? { model ?? CLIPFolderLoading.defaultFolder() }

    /// Loads the model, compiling its towers when needed (progress lines on stderr); `visualBatch`
    /// as `CLIPFolderLoading.load` takes it.
    func load(_ path: String, visualBatch: Int = 1) throws -> CLIPModel {
        try CLIPFolderLoading.load(path, visualBatch: visualBatch) {
            FileHandle.standardError.write(Data(("note: " + $0 + "\n").utf8))
        }
    }
}
