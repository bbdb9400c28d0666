// The pre-tokenizers of tokenizer.json ("pre_tokenizer"): they cut normalized text into the
// pieces the model tokenizes one by one. Split (pattern, behavior, invert), ByteLevel (GPT-2's
// split and byte-to-symbol mapping), Metaspace (spaces as ▁, prepend scheme), WhitespaceSplit,
// Whitespace, BertPreTokenizer, Punctuation, Digits and Sequence.

import EFCore

/// What Split does with the pieces a pattern matches.
enum SplitBehavior: String, Sendable {
    case removed = "Removed", isolated = "Isolated", mergedWithPrevious = "MergedWithPrevious"
    case mergedWithNext = "MergedWithNext", contiguous = "Contiguous"
}

/// A piece of text on its way through the pre-tokenizers; `atStart` is true when the piece
/// begins at the start of the input text (Metaspace's "first" scheme prepends only there).
struct TextPiece: Equatable {
    var scalars: [Unicode.Scalar]
    var atStart: Bool
}

/// One pre-tokenizer of a Hugging Face tokenizer.
indirect enum PreTokenizer: Sendable {
    case split(TextPattern, SplitBehavior, invert: Bool)
    case byteLevel(addPrefixSpace: Bool, useRegex: Bool)
    case metaspace(replacement: Unicode.Scalar, prepend: MetaspacePrepend, split: Bool)
    case whitespaceSplit, whitespace, bert
    case punctuation(SplitBehavior)
    case digits(individual: Bool)
    case sequence([PreTokenizer])

    /// When Metaspace puts a ▁ before a piece.
    enum MetaspacePrepend: String, Sendable { case always, first, never }

    /// Reads a pre-tokenizer object.
    /// - Throws: `.invalidModel` naming the field for a wrong type or value; `.unsupported`
    ///   naming a pre-tokenizer type Edgeflow does not implement.
    init(_ field: JSONField) throws {
        let type = try field.typeName()
        switch type {
        case "Split":
            self = .split(try TextPattern(field.required("pattern")), try Self.behavior(field.required("behavior")),
                          invert: try field.bool("invert", default: false))
        case "Punctuation":
            self = .punctuation(try field.optional("behavior").map(Self.behavior) ?? .isolated)
        case "Digits":
            self = .digits(individual: try field.bool("individual_digits", default: false))
        case "ByteLevel":
            self = .byteLevel(addPrefixSpace: try field.bool("add_prefix_space", default: true),
                              useRegex: try field.bool("use_regex", default: true))
        case "Metaspace":
            let replacementField = try field.required("replacement")
            let scalars = Array(try replacementField.string(maxBytes: 16).unicodeScalars)
            guard scalars.count == 1 else { throw replacementField.error("is not one character") }
            var prepend: MetaspacePrepend = try field.bool("add_prefix_space", default: true) ? .always : .never
            if let schemeField = try field.optional("prepend_scheme") {
                guard let scheme = MetaspacePrepend(rawValue: try schemeField.string(maxBytes: 16)) else {
                    throw schemeField.error("is not one of always, first, never")
                }
                prepend = scheme
            }
            self = .metaspace(replacement: scalars[0], prepend: prepend, split: try field.bool("split", default: true))
        case "WhitespaceSplit": self = .whitespaceSplit
        case "Whitespace": self = .whitespace
        case "BertPreTokenizer": self = .bert
        case "Sequence":
            self = .sequence(try field.required("pretokenizers").elements(limit: TextNormalizer.maxSequence)
                .map(PreTokenizer.init))
        default:
            throw EdgeflowError(.unsupported, "\(field.source): \(field.path).type is the pre-tokenizer \"\(type)\", "
                                    + "which Edgeflow does not implement",
                                hint: "supported: Split, ByteLevel, Metaspace, WhitespaceSplit, Whitespace, "
                                    + "BertPreTokenizer, Punctuation, Digits, Sequence")
        }
    }

    private static func behavior(_ field: JSONField) throws -> SplitBehavior {
        guard let behavior = SplitBehavior(rawValue: try field.string(maxBytes: 64)) else {
            throw field.error("is not one of Removed, Isolated, MergedWithPrevious, MergedWithNext, Contiguous")
        }
        return behavior
    }

    /// The pieces `pieces` are cut into (empty pieces dropped).
    func apply(_ pieces: [TextPiece]) -> [TextPiece] {
        switch self {
        case .sequence(let steps):
            return steps.reduce(pieces) { $1.apply($0) }
        default:
            return pieces.flatMap { piece in applyOne(piece).filter { !$0.scalars.isEmpty } }
        }
    }

    private func applyOne(_ piece: TextPiece) -> [TextPiece] {
        switch self {
        case .split(let pattern, let behavior, let invert):
            return Self.split(piece, matches: pattern.matches(in: piece.scalars), behavior, invert: invert)
        case .byteLevel(let addPrefixSpace, let useRegex):
            var piece = piece
            if addPrefixSpace, piece.scalars.first != " " { piece.scalars.insert(" ", at: 0) }
            let parts = useRegex ? Self.split(piece, matches: ByteLevelSymbols.gpt2Split.matches(in: piece.scalars),
                                              .isolated, invert: false) : [piece]
            return parts.map { TextPiece(scalars: ByteLevelSymbols.symbols(of: $0.scalars), atStart: $0.atStart) }
        case .metaspace(let replacement, let prepend, let split):
            var piece = piece
            piece.scalars = piece.scalars.map { $0 == " " ? replacement : $0 }
            let wanted = prepend == .always || (prepend == .first && piece.atStart)
            if wanted, piece.scalars.first != replacement { piece.scalars.insert(replacement, at: 0) }
            guard split else { return [piece] }
            let marks = piece.scalars.indices.filter { piece.scalars[$0] == replacement }.map { $0..<$0 + 1 }
            return Self.split(piece, matches: marks, .mergedWithNext, invert: false)
        case .whitespaceSplit:
            let spaces = Self.runs(piece.scalars) { $0.properties.isWhitespace }
            return Self.split(piece, matches: spaces, .removed, invert: false)
        case .whitespace:
            return Self.split(piece, matches: ByteLevelSymbols.wordsOrSymbols.matches(in: piece.scalars), .removed,
                              invert: true)
        case .bert:
            let spaces = Self.runs(piece.scalars) { $0.properties.isWhitespace }
            return Self.split(piece, matches: spaces, .removed, invert: false).flatMap { part in
                Self.split(part, matches: Self.each(part, BertTextRules.isPunctuation), .isolated, invert: false)
            }
        case .punctuation(let behavior):
            return Self.split(piece, matches: Self.each(piece, BertTextRules.isPunctuation), behavior, invert: false)
        case .digits(let individual):
            return Self.split(piece, matches: Self.each(piece, BertTextRules.isNumeric),
                              individual ? .isolated : .contiguous, invert: false)
        case .sequence:
            return apply([piece])
        }
    }

    /// The maximal runs of scalars that satisfy `test`.
    private static func runs(_ text: [Unicode.Scalar], _ test: (Unicode.Scalar) -> Bool) -> [Range<Int>] {
        var found: [Range<Int>] = []
        var start: Int?
        for (index, scalar) in text.enumerated() {
            if test(scalar) {
                if start == nil { start = index }
            } else if let first = start {
                found.append(first..<index)
                start = nil
            }
        }
        if let start { found.append(start..<text.count) }
        return found
    }

    /// One single-scalar match per scalar of `piece` that satisfies `test` (a character
    /// predicate as the library's splits take it: adjacent matches stay separate matches).
    private static func each(_ piece: TextPiece, _ test: (Unicode.Scalar) -> Bool) -> [Range<Int>] {
        piece.scalars.indices.filter { test(piece.scalars[$0]) }.map { $0..<$0 + 1 }
    }

    /// Cuts `piece` at `matches` (sorted, non-overlapping) the way `behavior` says; `invert`
    /// swaps the roles of matched and unmatched stretches.
    static func split(_ piece: TextPiece, matches: [Range<Int>], _ behavior: SplitBehavior,
                      invert: Bool) -> [TextPiece] {
        var stretches: [(range: Range<Int>, matched: Bool)] = []
        var last = 0
        for match in matches {
            if last < match.lowerBound { stretches.append((last..<match.lowerBound, invert)) }
            stretches.append((match, !invert))
            last = match.upperBound
        }
        if last < piece.scalars.count { stretches.append((last..<piece.scalars.count, invert)) }
        var ranges: [Range<Int>] = []
        var pendingMatch: Range<Int>?  // MergedWithNext: a match waiting for the stretch after it
        var previousMatched = false
        for stretch in stretches {
            defer { previousMatched = stretch.matched }
            switch behavior {
            case .removed:
                if !stretch.matched { ranges.append(stretch.range) }
            case .isolated:
                ranges.append(stretch.range)
            case .mergedWithPrevious, .contiguous:
                let joins = behavior == .contiguous ? stretch.matched == previousMatched
                    : stretch.matched && !previousMatched
                if joins, let previous = ranges.last {
                    ranges[ranges.count - 1] = previous.lowerBound..<stretch.range.upperBound
                } else {
                    ranges.append(stretch.range)
                }
            case .mergedWithNext:
                if stretch.matched {
                    if let pending = pendingMatch { ranges.append(pending) }
                    pendingMatch = stretch.range
                } else if let pending = pendingMatch {
                    ranges.append(pending.lowerBound..<stretch.range.upperBound)
                    pendingMatch = nil
                } else {
                    ranges.append(stretch.range)
                }
            }
        }
        if let pending = pendingMatch { ranges.append(pending) }
        return ranges.filter { !$0.isEmpty }.map {
            TextPiece(scalars: Array(piece.scalars[$0]), atStart: piece.atStart && $0.lowerBound == 0)
        }
    }
}
