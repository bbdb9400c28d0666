// The Einsum equation checked against its operands' ranks: one list of labels per operand and
// one for the output, with the ellipsis expanded into labels of its own (right-aligned across
// operands as numpy broadcasts them), and the size of every label.

import EFCore

/// A parsed Einsum equation. Letters are their ASCII codes; ellipsis dims are labels from
/// `EinsumEquation.ellipsisBase` on (the last ellipsis dim of every operand shares one label).
struct EinsumEquation {
    static let ellipsisBase = 1 << 24
    /// The labels of each operand's axes (a label may repeat: a diagonal).
    var operands: [[Int]]
    /// The labels of the output axes, all distinct.
    var output: [Int]
    /// The size of each label (the largest when operands broadcast a dim of 1).
    var sizes: [Int: Int]

    /// Parses `equation` for operands of `shapes`.
    /// - Throws: `EdgeflowError.invalidModel` naming `node` when a character is not a letter,
    ///   `,`, `->`, `...` or a space, the term count differs from the operand count, a term's
    ///   labels disagree with its operand's rank, a label has different sizes, or the output
    ///   repeats a label or names one no operand has.
    init(_ equation: String, shapes: [[Int]], node: OnnxNode) throws {
        func invalid(_ what: String) -> EdgeflowError {
            LoweringSupport.invalid(node, "equation '\(equation)' \(what)")
        }
        let text = equation.filter { $0 != " " }
        let sides = text.components(separatedBy: "->")
        guard sides.count <= 2 else { throw invalid("has more than one '->'") }
        let terms = sides[0].components(separatedBy: ",")
        guard terms.count == shapes.count else {
            throw invalid("has \(terms.count) input terms for \(shapes.count) inputs")
        }
        let parsed = try terms.map { try Self.term($0, invalid) }
        var ellipsisRank = 0
        for (index, term) in parsed.enumerated() {
            let rank = shapes[index].count
            guard term.hasEllipsis ? term.letters.count <= rank : term.letters.count == rank else {
                throw invalid("gives term \(index) \(term.letters.count) labels for an input of rank \(rank)")
            }
            if term.hasEllipsis { ellipsisRank = max(ellipsisRank, rank - term.letters.count) }
        }
        operands = zip(parsed, shapes).map { term, shape in
            term.expanded(ellipsisDims: shape.count - term.letters.count)
        }
        sizes = [:]
        for (labels, shape) in zip(operands, shapes) {
            for (label, size) in zip(labels, shape) {
                let known = sizes[label] ?? size
                guard known == size || known == 1 || size == 1 else {
                    throw invalid("gives label \(Self.name(label)) the sizes \(known) and \(size)")
                }
                sizes[label] = max(known, size)
            }
        }
        let ellipsis = (0..<ellipsisRank).map { Self.ellipsisBase - ellipsisRank + $0 }
        if sides.count == 2 {
            let term = try Self.term(sides[1], invalid)
            guard term.hasEllipsis || ellipsisRank == 0 else {
                throw invalid("drops the inputs' '...' dims from its output")
            }
            output = term.expanded(ellipsisDims: ellipsisRank)
            guard Set(output).count == output.count else { throw invalid("repeats a label in its output") }
            for label in term.letters where sizes[label] == nil {
                throw invalid("names \(Self.name(label)) in its output but in no input")
            }
        } else {
            var counts: [Int: Int] = [:]
            for label in operands.joined() where label <= 255 { counts[label, default: 0] += 1 }
            output = ellipsis + counts.keys.filter { counts[$0] == 1 }.sorted()
        }
    }

    /// The labels of one term: its letters and where its ellipsis stands.
    private struct Term {
        var letters: [Int]
        var hasEllipsis: Bool
        /// Letters before the ellipsis.
        var prefix: Int
        func expanded(ellipsisDims: Int) -> [Int] {
            guard hasEllipsis else { return letters }
            let dims = (0..<ellipsisDims).map { EinsumEquation.ellipsisBase - ellipsisDims + $0 }
            return Array(letters[..<prefix]) + dims + Array(letters[prefix...])
        }
    }

    private static func term(_ text: String, _ invalid: (String) -> EdgeflowError) throws -> Term {
        var letters: [Int] = [], prefix: Int?
        var rest = Substring(text)
        while let character = rest.first {
            if rest.hasPrefix("...") {
                guard prefix == nil else { throw invalid("has two '...' in one term") }
                prefix = letters.count
                rest = rest.dropFirst(3)
                continue
            }
            guard let ascii = character.asciiValue, character.isLetter else {
                throw invalid("has the character '\(character)', not a letter, ',', '->' or '...'")
            }
            letters.append(Int(ascii))
            rest = rest.dropFirst()
        }
        return Term(letters: letters, hasEllipsis: prefix != nil, prefix: prefix ?? 0)
    }

    /// A label as the equation spells it.
    static func name(_ label: Int) -> String {
        label <= 255 ? "'\(Character(Unicode.Scalar(UInt8(label))))'" : "'...'"
    }
}
