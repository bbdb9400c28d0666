// The JSON API over one library: search (text, not terms, an example photo by id, dates),
// a photo's stored thumbnail, its full-size image, and the library's status. Each answer is
// computed from the library file, so a photo only ever comes from the library, by id.

import EFCore
import EFSearch
import Foundation
import Hummingbird

/// The API's state: the library, the model (if any) and the search holding its vectors.
final class PhotoAPI: Sendable {
    let library: any PhotoStore
    let model: CLIPModel?
    let search: PhotoSearch
    let compressedScan: Bool
    /// Where searches run (see SearchThread).
    private let searchThread = SearchThread()

    /// Loads the model (`loadModel`) and its vectors from the library on the search thread (see
    /// `PhotoServer.init` for the options).
    init(library: any PhotoStore, loadModel: @escaping () throws -> CLIPModel?, refreshSeconds: Double?,
         compressedScan: Bool) throws {
        self.library = library
        self.compressedScan = compressedScan
        (model, search) = try searchThread.runNow {
            let model = try loadModel()
            return (model, try PhotoSearch(library: library, model: model, refreshInterval: refreshSeconds))
        }
    }

    private struct Hit: Encodable {
        var id: Int64
        var path: String
        var score: Float?
        var date: String
        var width: Int?
        var height: Int?
    }

    private struct SearchAnswer: Encodable {
        var model: String?
        var notes: [String]
        var results: [Hit]
        /// Seconds embedding the query texts and photo, and scanning and looking up the hits.
        var embedSeconds: Double
        var scanSeconds: Double
    }

    /// `GET /api/search`, run on the search thread.
    func search(_ parameters: SearchParameters) async throws -> Response {
        try await searchThread.run { [self] in try searchNow(parameters) }
    }

    private func searchNow(_ parameters: SearchParameters) throws -> Response {
        if model == nil, parameters.needsText || parameters.query.likePhotoID != nil {
            throw APIError(.badRequest, "searching by text or by example needs a CLIP model, and the server has none",
                           hint: "start it with --model DIR; without a model only dates can be searched")
        }
        if parameters.needsText, model?.textual == nil {
            throw APIError(.badRequest, "the model \(model?.folder.name ?? "") has no text tower, so text cannot "
                                        + "be searched")
        }
        if let id = parameters.query.likePhotoID, try library.photo(id: id) == nil {
            throw APIError(.notFound, "no photo \(id) in the library")
        }
        var query = parameters.query
        query.compressed = compressedScan
        let found = try search.search(query)
        let hits = found.hits.map {
            Hit(id: $0.photo.id, path: $0.photo.path, score: $0.score, date: $0.date, width: $0.photo.width,
                height: $0.photo.height)
        }
        return Replies.json(SearchAnswer(model: model?.embeddingName, notes: found.notes, results: hits,
                                         embedSeconds: found.embedSeconds, scanSeconds: found.scanSeconds))
    }

    /// `GET /api/photos/ID/thumbnail`: the JPEG the index stored.
    func thumbnail(_ id: Int64) throws -> Response {
        guard let jpeg = try library.thumbnail(id: id) else {
            throw APIError(.notFound, "no thumbnail for photo \(id)")
        }
        return Replies.bytes(jpeg, type: "image/jpeg", cacheable: true)
    }

    /// `GET /api/photos/ID/image`: the photo itself, as JPEG.
    func image(_ id: Int64) throws -> Response {
        guard let photo = try library.photo(id: id) else { throw APIError(.notFound, "no photo \(id) in the library") }
        guard photo.lastError == nil else {
            throw APIError(.unprocessableContent, "photo \(id) could not be read when it was indexed")
        }
        return Replies.bytes(try FullImage.jpeg(of: photo), type: "image/jpeg", cacheable: true)
    }

    private struct Run: Encodable {
        var startedAt: String
        var finishedAt: String?
        var model: String?
        var status: String
        var found: Int
        var embedded: Int
        var failed: Int
    }

    private struct Status: Encodable {
        var photos: Int
        var unreadable: Int
        var embedded: [String: Int]
        var model: String?
        var textSearch: Bool
        var searchable: Int
        var lastRun: Run?
    }

    /// `GET /api/status`.
    func status() throws -> Response {
        let counts = try library.status()
        let embedded = Dictionary(try library.models().map { ($0.name, $0.count) }) { first, _ in first }
        let run = counts.lastRun.map {
            Run(startedAt: $0.startedAt, finishedAt: $0.finishedAt, model: $0.model, status: $0.status,
                found: $0.found, embedded: $0.embedded, failed: $0.failed)
        }
        return Replies.json(Status(photos: counts.photos, unreadable: counts.unreadable, embedded: embedded,
                                   model: model?.embeddingName, textSearch: model?.textual != nil,
                                   searchable: search.vectorCount, lastRun: run))
    }
}
