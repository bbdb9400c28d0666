// The Unigram model of tokenizer.json (SentencePiece's): the segmentation of a piece into
// vocabulary entries with the highest total score (Viterbi over byte positions). A character no
// entry starts with costs the lowest score minus 10 and becomes the unknown token; consecutive
// unknown characters are fused into one, then looked up again (byte fallback gives <0xXX>
// tokens for them when the vocabulary has those, else the unknown id).

import EFCore

/// A Unigram model read from tokenizer.json.
struct UnigramModel: Sendable {
    let vocabulary: [[UInt8]: Int32]
    private let scores: [Double]
    private let unknown: Int32?
    private let byteFallback: Bool
    private let unknownScore: Double
    private let longestPiece: Int

    /// Reads a model object of type Unigram.
    /// - Throws: `.invalidModel` naming the field: a vocabulary over the limits, an entry that
    ///   is not [token, score], an unk_id outside the vocabulary.
    init(_ field: JSONField) throws {
        let entries = try field.required("vocab").elements(limit: TokenizerLimits.maxVocabulary)
        var vocabulary: [[UInt8]: Int32] = [:]
        vocabulary.reserveCapacity(entries.count)
        var scores: [Double] = []
        scores.reserveCapacity(entries.count)
        var longest = 1
        for (id, entry) in entries.enumerated() {
            let pair = try entry.elements(limit: 2)
            guard pair.count == 2 else { throw entry.error("is not [token, score]") }
            let token = Array(try pair[0].string(maxBytes: TokenizerLimits.maxTokenBytes).utf8)
            scores.append(try pair[1].double())
            // A repeated token: the later id wins, as in `tokenizers`.
            vocabulary[token] = Int32(id)
            longest = max(longest, token.count)
        }
        if let unknownField = try field.optional("unk_id") {
            unknown = Int32(try unknownField.int(in: 0...max(0, entries.count - 1)))
            guard !entries.isEmpty else { throw unknownField.error("names an entry of an empty vocabulary") }
        } else {
            unknown = nil
        }
        self.vocabulary = vocabulary
        self.scores = scores
        byteFallback = try field.bool("byte_fallback", default: false)
        unknownScore = (scores.min() ?? 0) - 10
        longestPiece = longest
    }

    /// The ids of one piece.
    /// - Throws: `.invalidInput` when the piece has a character no entry covers and the model
    ///   has no unknown id.
    func ids(of piece: [Unicode.Scalar]) throws -> [Int32] {
        let bytes = TokenizerModel.utf8(piece)
        guard !bytes.isEmpty else { return [] }
        // best[end]: the best segmentation of bytes[..<end]: its score, last entry's start and id.
        var bestScore = [Double](repeating: 0, count: bytes.count + 1)
        var bestStart = [Int](repeating: -1, count: bytes.count + 1)
        var bestID = [Int32](repeating: -1, count: bytes.count + 1)
        var start = 0
        for scalar in piece {
            let width = UTF8.width(scalar)
            let base = bestScore[start]
            var coversCharacter = false
            var end = start + 1
            while end <= min(bytes.count, start + longestPiece) {
                if let id = vocabulary[Array(bytes[start..<end])] {
                    let score = base + scores[Int(id)]
                    if bestStart[end] < 0 || score > bestScore[end] {
                        (bestScore[end], bestStart[end], bestID[end]) = (score, start, id)
                    }
                    if end - start == width { coversCharacter = true }
                }
                end += 1
            }
            if !coversCharacter {
                guard let unknown else {
                    let code = String(scalar.value, radix: 16, uppercase: true)
                    throw EdgeflowError(.invalidInput, "the text has a character (U+\(code)) the tokenizer's "
                                            + "vocabulary cannot represent, and it has no unknown token")
                }
                let score = base + unknownScore, end = start + width
                if bestStart[end] < 0 || score > bestScore[end] {
                    (bestScore[end], bestStart[end], bestID[end]) = (score, start, unknown)
                }
            }
            start += width
        }
        // Back from the end; runs of unknown entries are joined into one stretch.
        var stretches: [Range<Int>] = []
        var end = bytes.count
        var unknownEnd: Int?
        while end > 0 {
            let from = bestStart[end]
            if bestID[end] == unknown {
                if unknownEnd == nil { unknownEnd = end }
            } else {
                if let stop = unknownEnd { stretches.append(end..<stop); unknownEnd = nil }
                stretches.append(from..<end)
            }
            end = from
        }
        if let stop = unknownEnd { stretches.append(0..<stop) }
        var ids: [Int32] = []
        for stretch in stretches.reversed() {
            let text = Array(bytes[stretch])
            if let id = vocabulary[text] {
                ids.append(id)
            } else if byteFallback, case let fallback = text.compactMap({ vocabulary[TokenizerModel.byteToken($0)] }),
                      fallback.count == text.count {
                ids.append(contentsOf: fallback)
            } else if let unknown {
                ids.append(unknown)
            }
        }
        return ids
    }
}
