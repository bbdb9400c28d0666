// Where a model lives on a Hugging Face–style hub: the repository OWNER/NAME under a base URL,
// its listing address (the tree API) and each file's download address (resolve/main/PATH).
// The name is checked first, since it becomes part of URLs and of a folder name.

import EFCore
import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// A model repository on a hub.
public struct HubRepository: Sendable {
    /// The hub's address, e.g. https://huggingface.co.
    public var base: URL
    /// "immich-app" for Immich's models.
    public var owner: String
    /// The model's name, e.g. "ViT-B-32__openai".
    public var name: String

    /// A repository after checking `owner` and `name`.
    /// - Throws: `EdgeflowError.invalidArgument` for a name with characters other than letters,
    ///   digits, ".", "_" and "-", or one starting with "." (so it cannot leave the models folder).
    public init(base: URL, owner: String = "immich-app", name: String) throws {
        for (what, value) in [("model name", name), ("owner", owner)] {
            let allowed = value.utf8.allSatisfy { $0 < 128 && (isalnum(Int32($0)) != 0 || "._-".utf8.contains($0)) }
            guard allowed, !value.isEmpty, value.utf8.count <= 96, !value.hasPrefix(".") else {
                throw EdgeflowError(.invalidArgument, "\(String(reflecting: value)) is not a \(what)",
                                    hint: "a model name looks like ViT-B-32__openai: letters, digits, '.', '_', '-'")
            }
        }
        guard base.scheme == "https" || base.scheme == "http", base.host != nil else {
            throw EdgeflowError(.invalidArgument, "\(base.absoluteString) is not an http(s) address")
        }
        self.base = base
        self.owner = owner
        self.name = name
    }

    /// "immich-app/ViT-B-32__openai".
    public var id: String { "\(owner)/\(name)" }

    /// GET {base}/api/models/OWNER/NAME/tree/main?recursive=true.
    public var listingURL: URL {
        URL(string: root + "/api/models/\(id)/tree/main?recursive=true")!
    }

    /// GET {base}/OWNER/NAME/resolve/main/PATH (a path checked by `HubListing.checkPath`).
    public func fileURL(_ path: String) -> URL {
        let encoded = path.split(separator: "/").map {
            $0.addingPercentEncoding(withAllowedCharacters: .urlPathAllowed) ?? String($0)
        }
        return URL(string: root + "/\(id)/resolve/main/" + encoded.joined(separator: "/"))!
    }

    /// The files of the repository.
    /// - Throws: `EdgeflowError.invalidArgument` when the hub does not know the model (HTTP 401 or 404,
    ///   as the Hub answers for a repository that does not exist), `.io` when it cannot be reached or
    ///   answers otherwise, `.invalidModel` for a listing `HubListing` refuses.
    public func listing(timeout: TimeInterval = 60) throws -> [HubFile] {
        var request = URLRequest(url: listingURL, timeoutInterval: timeout)
        request.setValue("application/json", forHTTPHeaderField: "Accept")
        var body = Data()
        let source = listingURL.absoluteString
        do {
            try HTTPStream.get(request, onResponse: { response in
                if [401, 404].contains(response.statusCode) {
                    throw EdgeflowError(.invalidArgument, "no model named \(name) at \(root) (\(id): HTTP "
                                            + "\(response.statusCode))",
                                        hint: "model names are the repositories of \(owner), e.g. ViT-B-32__openai; "
                                            + "list them with `curl -s '\(root)/api/models?author=\(owner)'` or at "
                                            + "\(root)/\(owner); `edgeflow models list` shows the models pulled here")
                }
                guard response.statusCode == 200 else {
                    throw EdgeflowError(.io, "\(source) answered HTTP \(response.statusCode)")
                }
            }, onData: { chunk in
                guard body.count + chunk.count <= HubListing.maxBytes else {
                    throw EdgeflowError(.invalidModel, "\(source): the listing is larger than "
                                            + "\(HubListing.maxBytes) bytes")
                }
                body.append(chunk)
            })
        } catch let interrupted as TransferInterrupted {
            throw EdgeflowError(.io, "cannot read \(source): \(interrupted.reason)")
        }
        return try HubListing.files(from: body, source: source)
    }

    private var root: String {
        var text = base.absoluteString
        while text.hasSuffix("/") { text.removeLast() }
        return text
    }
}
