// `edgeflow models`: CLIP model folders on this machine — pulled from a Hugging Face–style hub
// (Immich's repositories) and listed — and the options its verbs share.

import ArgumentParser
import Foundation

struct ModelsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "models",
        abstract: "Download CLIP models in Immich's layout, list them, and make int8 text towers.",
        discussion: """
            Models live in one folder each (NAME/config.json, visual/, textual/) under the models \
            folder: --models-dir, else $EDGEFLOW_MODELS, else ~/.cache/edgeflow/models. \
            `photos index` and `photos search` use MODELS/ViT-B-32__openai when no --model is given.

            Examples:
              edgeflow models pull ViT-B-32__openai
              edgeflow models pull ViT-B-16__openai --models-dir /srv/models --json
              edgeflow models list
              edgeflow models quantize ViT-B-32__openai      (an int8 text tower: faster text queries)
            """,
        subcommands: [ModelsPullCommand.self, ModelsListCommand.self, ModelsQuantizeCommand.self])
}

/// The `--models-dir` option and how it resolves.
struct ModelsDirectoryOption: ParsableArguments {
    @Option(name: .customLong("models-dir"),
            help: ArgumentHelp("The models folder (default $EDGEFLOW_MODELS, else ~/.cache/edgeflow/models).",
                               valueName: "dir"))
    var modelsDirectory: String?

    /// The folder to use.
    var url: URL { CommandSupport.url(modelsDirectory ?? CLIPFolderLoading.modelsDirectory()) }
}
