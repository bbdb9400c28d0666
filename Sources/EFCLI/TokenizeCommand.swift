// `edgeflow tokenize`: CLIP BPE token ids of texts, as the text tower will see them; with
// --tokenizer, the ids of a Hugging Face tokenizer.json as Immich feeds them to its text tower.

import ArgumentParser
import EFArchive
import EFCore
import EFText
import Foundation

struct TokenizeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tokenize",
        abstract: "Print the CLIP token ids of texts (77 per text, start and end tokens included).",
        discussion: """
            Cleans each text as OpenAI CLIP does (Unicode repair, HTML entities, whitespace, \
            lowercase), splits it, applies the byte-level BPE of the OpenAI vocabulary and \
            frames it with <|startoftext|> (49406) and <|endoftext|> (49407), zero-padded to \
            --context-length. A text that is too long is cut so that it still ends with the end \
            token (CLIP's truncate=True); --no-truncate makes that an error instead.

            The vocabulary is OpenAI CLIP's bpe_simple_vocab_16e6.txt(.gz), which ships with \
            Edgeflow. Without --vocab it is taken from $EDGEFLOW_CLIP_VOCAB, else the copy shipped \
            with Edgeflow (Edgeflow_EFText.resources beside the binary), else .testdata/clip/ of the \
            working directory or of the checkout the edgeflow binary was built in.

            Examples:
              edgeflow tokenize "a photo of a cat" "a dog playing in the snow"
              edgeflow tokenize "a photo of a cat" --json
              edgeflow tokenize "a photo of a cat" -o tokens.npy     int64 [N, 77] for a text tower
              edgeflow tokenize "ein Hund" --tokenizer MODEL/textual/tokenizer.json

            With --tokenizer, the text is cleaned as Immich cleans it (whitespace runs to one \
            space) and tokenized by that Hugging Face tokenizer.json, truncated to \
            --context-length with its special tokens kept and padded with the id of pad_token \
            from the tokenizer_config.json beside it (0 when there is none).
            """)

    @Argument(help: "The texts to tokenize (quote each one).")
    var texts: [String]

    @Option(help: ArgumentHelp("The BPE vocabulary (bpe_simple_vocab_16e6.txt or .txt.gz).", valueName: "file"))
    var vocab: String?

    @Option(help: ArgumentHelp("A Hugging Face tokenizer.json to use instead of the CLIP BPE.", valueName: "file"))
    var tokenizer: String?

    @Option(help: ArgumentHelp("Tokens per text, start and end tokens included "
                               + "(2…\(CLIPTokenizer.maxContextLength)).", valueName: "n"))
    var contextLength = 77

    @Flag(help: "Fail on a text longer than the context instead of truncating it.")
    var noTruncate = false

    @Option(name: [.customShort("o"), .customLong("output")],
            help: ArgumentHelp("Also write the ids as an int64 [N, context] .npy file.", valueName: "file.npy"))
    var output: String?

    @Flag(help: "Print machine-readable JSON.")
    var json = false

    private struct Entry: Encodable {
        var text: String
        var ids: [Int32]
        var length: Int
        var truncated: Bool
    }

    private struct Output: Encodable {
        var vocabulary: String
        var texts: [Entry]
    }

    func validate() throws {
        if texts.isEmpty { throw ValidationError("give at least one text to tokenize") }
        guard (2...CLIPTokenizer.maxContextLength).contains(contextLength) else {
            throw ValidationError("--context-length must be in 2…\(CLIPTokenizer.maxContextLength) "
                                  + "(start and end tokens included), got \(contextLength)")
        }
    }

    func run() throws {
        try CommandSupport.run {
            let vocabularyURL = try tokenizer.map(CommandSupport.url) ?? VocabularyLocation.resolve(vocab)
            let tokenize = try tokenizing(vocabularyURL)
            let entries = try texts.map { text in
                let tokens = try tokenize(text)
                return Entry(text: text, ids: tokens.ids, length: tokens.length, truncated: tokens.truncated)
            }
            if let output {
                let ids = entries.flatMap { $0.ids.map(Int64.init) }
                let tensor = Tensor(shape: [entries.count, contextLength], scalars: ids)
                try AtomicFile.write(NPY.encode(tensor), to: CommandSupport.url(output))
            }
            if json {
                try CommandSupport.printJSON(Output(vocabulary: vocabularyURL.path, texts: entries))
                return
            }
            for entry in entries {
                let note = entry.truncated ? ", truncated" : ""
                print("\(quoted(entry.text))  (\(entry.length) tokens\(note))")
                print("  " + entry.ids.map(String.init).joined(separator: " "))
            }
            if let output { print("wrote int64 [\(entries.count), \(contextLength)] to \(output)") }
        }
    }

    /// The tokenizer: the tokenizer.json at `url` with --tokenizer, else the CLIP BPE vocabulary there.
    private func tokenizing(_ url: URL) throws -> (String) throws -> TokenizedText {
        let (contextLength, noTruncate) = (contextLength, noTruncate)
        guard tokenizer != nil else {
            let bpe = try CLIPTokenizer(vocabularyFile: url)
            return { try bpe.tokenize($0, contextLength: contextLength, truncate: !noTruncate) }
        }
        let file = try HFTokenizer(contentsOf: url)
        let config = url.deletingLastPathComponent().appendingPathComponent("tokenizer_config.json")
        var padID: Int32 = 0
        if FileManager.default.fileExists(atPath: config.path) {
            let pad = try ImmichTextTokenizer.padToken(config)
            guard let id = file.id(of: pad) else {
                throw EdgeflowError(.invalidModel, "\(config.path): pad_token \"\(pad)\" is not a token of \(url.path)")
            }
            padID = id
        }
        let immich = ImmichTextTokenizer(tokenizer: file, contextLength: contextLength, padID: padID)
        return { text in
            let tokens = try immich.tokenize(text)
            if tokens.truncated && noTruncate {
                throw EdgeflowError(.invalidInput, "\"\(text.prefix(60))\" is longer than the context length "
                                        + "\(contextLength)", hint: "shorten the text or allow truncation")
            }
            return tokens
        }
    }

    private func quoted(_ text: String) -> String {
        let shown = text.count > 70 ? String(text.prefix(67)) + "…" : text
        return "\"" + shown.replacingOccurrences(of: "\n", with: "\\n") + "\""
    }
}

/// Where the CLIP vocabulary is found when `--vocab` is not given.
enum VocabularyLocation {
    static let fileNames = ["bpe_simple_vocab_16e6.txt.gz", "bpe_simple_vocab_16e6.txt"]

    /// The file to load: `explicit` when given, else the first existing candidate.
    /// - Throws: `EdgeflowError.io` naming every place looked at.
    static func resolve(_ explicit: String?) throws -> URL {
        if let explicit { return CommandSupport.url(explicit) }
        if let path = ProcessInfo.processInfo.environment["EDGEFLOW_CLIP_VOCAB"] {
            return CommandSupport.url(path)
        }
        if let bundled = CLIPTokenizer.bundledVocabularyURL { return bundled }
        var directories: [URL] = []
        directories.append(CommandSupport.url(".testdata/clip"))
        // The checkout that holds .build/…/edgeflow: the nearest ancestor with a .testdata folder.
        var ancestor = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
            .deletingLastPathComponent()
        for _ in 0..<5 {
            ancestor = ancestor.deletingLastPathComponent()
            if FileManager.default.fileExists(atPath: ancestor.appendingPathComponent(".testdata").path) {
                directories.append(ancestor.appendingPathComponent(".testdata/clip"))
                break
            }
        }
        for directory in directories {
            for name in fileNames {
                let candidate = directory.appendingPathComponent(name)
                if FileManager.default.fileExists(atPath: candidate.path) { return candidate }
            }
        }
        let places = ["Edgeflow_EFText.resources beside the binary"] + directories.map(\.path)
        throw EdgeflowError(.io, "no CLIP BPE vocabulary found (looked in \(places.joined(separator: ", ")))",
                            hint: "keep Edgeflow_EFText.resources beside the edgeflow binary (swift build puts "
                                + "it there), pass --vocab bpe_simple_vocab_16e6.txt.gz or set EDGEFLOW_CLIP_VOCAB")
    }
}
