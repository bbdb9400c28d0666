// The BPE model of tokenizer.json: a piece becomes one symbol per character (the continuing
// prefix on all but the first, the end-of-word suffix on the last; characters not in the
// vocabulary become byte tokens <0xXX> with byte fallback, else the unknown token, consecutive
// ones fused when fuse_unk is set), then the adjacent pair with the lowest merge rank is merged,
// leftmost first, until no pair has a rank.

import EFCore

/// A byte-pair-encoding model read from tokenizer.json.
struct BPEModel: Sendable {
    let vocabulary: [[UInt8]: Int32]
    /// (first id, second id) → (rank, merged id).
    private let merges: [UInt64: (rank: Int32, id: Int32)]
    private let unknown: Int32?
    private let prefix: [UInt8]
    private let suffix: [UInt8]
    private let fuseUnknown: Bool
    private let byteFallback: Bool
    private let ignoreMerges: Bool

    /// Reads a model object of type BPE.
    /// - Throws: `.invalidModel` naming the field: a vocabulary or merge list over the limits, a
    ///   merge that is not two tokens of the vocabulary whose join is in it, an unknown token
    ///   missing from the vocabulary; `.unsupported` for dropout.
    init(_ field: JSONField) throws {
        vocabulary = try TokenizerModel.vocabularyObject(field.required("vocab"))
        prefix = Array(try field.string("continuing_subword_prefix", default: "").utf8)
        suffix = Array(try field.string("end_of_word_suffix", default: "").utf8)
        fuseUnknown = try field.bool("fuse_unk", default: false)
        byteFallback = try field.bool("byte_fallback", default: false)
        ignoreMerges = try field.bool("ignore_merges", default: false)
        if let dropout = try field.optional("dropout"), try dropout.double() > 0 {
            throw EdgeflowError(.unsupported, "\(field.source): \(dropout.path) is BPE dropout (random merges), "
                                    + "which is for training only", hint: "set dropout to null")
        }
        if let unknownField = try field.optional("unk_token") {
            guard let id = vocabulary[Array(try unknownField.string().utf8)] else {
                throw unknownField.error("names a token that is not in the vocabulary")
            }
            unknown = id
        } else {
            unknown = nil
        }
        var merges: [UInt64: (rank: Int32, id: Int32)] = [:]
        let list = try field.required("merges").elements(limit: TokenizerLimits.maxMerges)
        merges.reserveCapacity(list.count)
        for (rank, merge) in list.enumerated() {
            let pair: [String]
            if case .string(let line) = merge.value {
                pair = line.split(separator: " ", omittingEmptySubsequences: false).map(String.init)
            } else {
                pair = try merge.elements(limit: 2).map { try $0.string(maxBytes: TokenizerLimits.maxTokenBytes) }
            }
            guard pair.count == 2 else { throw merge.error("is not a pair of tokens") }
            let first = Array(pair[0].utf8), second = Array(pair[1].utf8)
            guard let a = vocabulary[first], let b = vocabulary[second] else {
                throw merge.error("merges a token that is not in the vocabulary")
            }
            let tail = !prefix.isEmpty && second.starts(with: prefix) ? Array(second.dropFirst(prefix.count)) : second
            guard let joined = vocabulary[first + tail] else {
                throw merge.error("makes a token that is not in the vocabulary")
            }
            let key = BytePairMerger.pairKey(a, b)
            merges[key] = (Int32(rank), joined)  // a repeated pair: the later rank wins, as in `tokenizers`
        }
        self.merges = merges
    }

    /// The ids of one piece.
    /// - Throws: never for a well-formed model (unknown text without an unknown token is dropped,
    ///   as the `tokenizers` library drops it).
    func ids(of piece: [Unicode.Scalar]) throws -> [Int32] {
        guard !piece.isEmpty else { return [] }
        if ignoreMerges, let whole = vocabulary[TokenizerModel.utf8(piece)] { return [whole] }
        var symbols: [Int32] = []
        var pendingUnknown = false
        for (index, scalar) in piece.enumerated() {
            var text = TokenizerModel.utf8(CollectionOfOne(scalar))
            if index > 0 { text = prefix + text }
            if index == piece.count - 1 { text += suffix }
            if let id = vocabulary[text] {
                if pendingUnknown, let unknown { symbols.append(unknown) }
                pendingUnknown = false
                symbols.append(id)
                continue
            }
            if byteFallback {
                let bytes = text.compactMap { vocabulary[TokenizerModel.byteToken($0)] }
                if bytes.count == text.count {
                    if pendingUnknown, let unknown { symbols.append(unknown) }
                    pendingUnknown = false
                    symbols.append(contentsOf: bytes)
                    continue
                }
            }
            guard let unknown else { continue }
            if pendingUnknown && !fuseUnknown { symbols.append(unknown) }
            pendingUnknown = true
        }
        if pendingUnknown, let unknown { symbols.append(unknown) }
        return merge(symbols)
    }

    /// The merge loop over a heap of (rank, position) and a linked list of symbols.
    private func merge(_ start: [Int32]) -> [Int32] {
        var word = start
        let n = word.count
        guard n > 1 else { return word }
        var next = Array(1...n), previous = Array(-1..<(n - 1)), alive = [Bool](repeating: true, count: n)
        var heap = RankHeap()
        func rule(_ i: Int) -> (rank: Int32, id: Int32)? {
            next[i] < n ? merges[BytePairMerger.pairKey(word[i], word[next[i]])] : nil
        }
        for i in 0..<(n - 1) { if let r = rule(i) { heap.push(r.rank, i) } }
        while let (rank, i) = heap.pop() {
            guard alive[i], let r = rule(i), r.rank == rank else { continue }  // stale entry
            let j = next[i]
            word[i] = r.id
            alive[j] = false
            next[i] = next[j]
            if next[j] < n { previous[next[j]] = i }
            if previous[i] >= 0, let left = rule(previous[i]) { heap.push(left.rank, previous[i]) }
            if let right = rule(i) { heap.push(right.rank, i) }
        }
        return (0..<n).compactMap { alive[$0] ? word[$0] : nil }
    }
}
