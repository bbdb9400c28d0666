// Handing out pending photos to several workers sharing one PostgreSQL library: each call
// claims up to a batch of photos nobody holds (or whose claim expired: that worker crashed)
// with FOR UPDATE SKIP LOCKED, so two workers never wait for or take the same photo. Storing a
// photo's results ends its claim; storing any batch extends this worker's remaining claims; the
// end of a run gives up what is left (photos gone from disk), for the next run.

import EFCore
import Foundation

extension PostgresPhotoLibrary {
    public func pendingWork(under folders: [String], modelID: Int64?, textReader: String?,
                            claims: ClaimOptions) throws -> any PendingWork {
        guard claims.batch >= 1, claims.leaseSeconds > 0 else {
            throw EdgeflowError(.invalidArgument, "claims need a batch of at least 1 photo and a lease over 0 s")
        }
        leaseSeconds = claims.leaseSeconds
        let filter = Self.folderFilter(folders) + [.int(modelID), .string(textReader)]
        let count = try connection.execute("SELECT count(*) AS n FROM photos p WHERE \(Self.pending)", filter)
        return ClaimedPhotos(library: self, parameters: filter, total: Int(try count.required(0, "n")),
                             batch: claims.batch)
    }

    /// Claims up to `batch` pending photos for `leaseSeconds`; parameters $1…$4 as in `pending`.
    func claim(_ parameters: [PostgresValue], batch: Int) throws -> [PendingPhoto] {
        let rows = try connection.execute("""
            WITH picked AS (
                SELECT p.id FROM photos p WHERE \(Self.pending) AND (p.claimed_until IS NULL OR p.claimed_until < now())
                ORDER BY p.path COLLATE "C" LIMIT $5::integer FOR UPDATE OF p SKIP LOCKED)
            UPDATE photos p SET claimed_by = $6, claimed_until = now() + make_interval(secs => $7::double precision)
            FROM picked WHERE p.id = picked.id
            RETURNING p.id, p.path, \(Self.needs)
            """, parameters + [.int(batch), .text(worker), .text(String(leaseSeconds))])
        return try (0..<rows.count).map { row in
            PendingPhoto(id: try rows.required(row, "id"), path: try rows.string(row, "path") ?? "",
                         needsMetadata: try rows.string(row, "needs_metadata") == "t",
                         needsEmbedding: try rows.string(row, "needs_embedding") == "t",
                         needsText: try rows.string(row, "needs_text") == "t")
        }.sorted { Array($0.path.utf8).lexicographicallyPrecedes(Array($1.path.utf8)) }
    }

    /// Ends every claim this worker holds.
    func releaseClaims() throws {
        try connection.execute("UPDATE photos SET claimed_by = NULL, claimed_until = NULL WHERE claimed_by = $1",
                               [.text(worker)])
    }

    /// What a photo `p` still needs ($3: the model's id or NULL, $4: the text reader or NULL).
    private static let needs = """
        (p.content_hash IS NULL OR NOT EXISTS (SELECT 1 FROM thumbnails t WHERE t.photo_id = p.id)) AS needs_metadata,
        ($3::bigint IS NOT NULL AND NOT EXISTS (SELECT 1 FROM embeddings e WHERE e.photo_id = p.id
                                                AND e.model_id = $3::bigint)) AS needs_embedding,
        ($4::text IS NOT NULL AND NOT EXISTS (SELECT 1 FROM text_reads r WHERE r.photo_id = p.id
                                              AND r.reader = $4::text)) AS needs_text
        """

    /// A readable photo under the folders ($1, $2) that still needs something.
    private static let pending = """
        p.last_error IS NULL
        AND (p.path = ANY($1::text[]) OR EXISTS (SELECT 1 FROM unnest($2::text[]) f WHERE starts_with(p.path, f)))
        AND (p.content_hash IS NULL OR NOT EXISTS (SELECT 1 FROM thumbnails t WHERE t.photo_id = p.id)
             OR ($3::bigint IS NOT NULL AND NOT EXISTS (SELECT 1 FROM embeddings e WHERE e.photo_id = p.id
                                                        AND e.model_id = $3::bigint))
             OR ($4::text IS NOT NULL AND NOT EXISTS (SELECT 1 FROM text_reads r WHERE r.photo_id = p.id
                                                      AND r.reader = $4::text)))
        """
}

/// Pending photos claimed a batch at a time from a shared library.
final class ClaimedPhotos: PendingWork {
    private let library: PostgresPhotoLibrary
    private let parameters: [PostgresValue]
    private let batch: Int
    let total: Int

    init(library: PostgresPhotoLibrary, parameters: [PostgresValue], total: Int, batch: Int) {
        self.library = library
        self.parameters = parameters
        self.total = total
        self.batch = batch
    }

    func next() throws -> [PendingPhoto] { try library.claim(parameters, batch: batch) }

    func finish() throws { try library.releaseClaims() }
}
