// BertNormalizer's character classes against the Hugging Face `tokenizers` library, scalar by
// scalar: Tests/Goldens/hf-tokenizers/bert-normalizer/codepoints.json (made by
// tools/goldens/make_hf_tokenizer_goldens.py over every Unicode scalar) lists, as ranges, the
// scalars clean_text removes or makes a space, the ones handle_chinese_chars surrounds with
// spaces, the ones the accent stripping deletes and the ones the Punctuation and Digits
// pre-tokenizers split off; each step alone must agree with it.

import EFTestSupport
import EFText
import Foundation
import XCTest

final class BertNormalizerTests: XCTestCase {
    struct CodePoints: Decodable {
        var removed: [[UInt32]]
        var spaced: [[UInt32]]
        var chinese: [[UInt32]]
        var accent_stripped: [[UInt32]]
        var punctuation: [[UInt32]]
        var numeric: [[UInt32]]
    }

    static func tokenizer(clean: Bool = false, chinese: Bool = false, strip: Bool = false,
                          lowercase: Bool = false) throws -> HFTokenizer {
        let json = """
            {"normalizer": {"type": "BertNormalizer", "clean_text": \(clean), "handle_chinese_chars": \(chinese),
             "strip_accents": \(strip), "lowercase": \(lowercase)},
             "model": {"type": "WordPiece", "unk_token": "[UNK]", "vocab": {"[UNK]": 0}}}
            """
        return try HFTokenizer(data: Array(json.utf8))
    }

    /// A tokenizer that splits with `preTokenizer` and knows only "a": "a" + c + "a" is three
    /// ids when the pre-tokenizer splits c off, one ([UNK]) otherwise.
    static func splitter(_ preTokenizer: String) throws -> HFTokenizer {
        try HFTokenizer(data: Array("""
            {"pre_tokenizer": \(preTokenizer),
             "model": {"type": "WordPiece", "unk_token": "[UNK]", "vocab": {"[UNK]": 0, "a": 1}}}
            """.utf8))
    }

    /// The scalars checked: every one below U+20000 and in the tag/variation-selector plane
    /// block, plus each range bound of the goldens and its neighbours (the private-use planes in
    /// between are whole ranges).
    static func scalarsToCheck(_ goldens: CodePoints) -> [Unicode.Scalar] {
        var values = Set<UInt32>(0..<0x20000)
        values.formUnion(0xE0000..<0xE0200)
        for range in goldens.removed + goldens.spaced + goldens.chinese + goldens.accent_stripped
            + goldens.punctuation + goldens.numeric {
            for bound in range { values.formUnion([bound &- 1, bound, bound + 1]) }
        }
        return values.sorted().compactMap(Unicode.Scalar.init)
    }

    static func members(_ ranges: [[UInt32]], _ scalar: Unicode.Scalar) -> Bool {
        ranges.contains { $0[0] <= scalar.value && scalar.value <= $0[1] }
    }

    func testEveryStepAgreesWithTheTokenizersLibraryScalarByScalar() throws {
        let url = TestData.goldens.appendingPathComponent("hf-tokenizers/bert-normalizer/codepoints.json")
        let goldens = try JSONDecoder().decode(CodePoints.self, from: Data(contentsOf: url))
        let clean = try Self.tokenizer(clean: true)
        let chinese = try Self.tokenizer(chinese: true)
        let strip = try Self.tokenizer(strip: true)
        let punctuation = try Self.splitter(#"{"type": "Punctuation"}"#)
        let digits = try Self.splitter(#"{"type": "Digits", "individual_digits": true}"#)
        var differing: [String: [String]] = [:]
        func expect(_ step: String, _ got: Bool, _ wanted: Bool, _ scalar: Unicode.Scalar) {
            if got != wanted { differing[step, default: []].append(String(scalar.value, radix: 16)) }
        }
        let scalars = Self.scalarsToCheck(goldens)
        for scalar in scalars {
            let text = String(Character(scalar))
            let cleaned = clean.normalized(text)
            expect("removed", cleaned.isEmpty, Self.members(goldens.removed, scalar), scalar)
            expect("spaced", cleaned == " " && scalar != " ", Self.members(goldens.spaced, scalar), scalar)
            expect("chinese", chinese.normalized(text) == " \(text) ", Self.members(goldens.chinese, scalar), scalar)
            expect("accent_stripped", strip.normalized(text).isEmpty, Self.members(goldens.accent_stripped, scalar),
                   scalar)
            expect("punctuation", try punctuation.encode("a\(text)a").count == 3,
                   Self.members(goldens.punctuation, scalar), scalar)
            expect("numeric", try digits.encode("a\(text)a").count == 3, Self.members(goldens.numeric, scalar), scalar)
        }
        XCTAssertGreaterThan(scalars.count, 129_000)
        XCTAssertEqual(differing.mapValues { $0.prefix(20).joined(separator: " ") }, [:])
    }

    /// The flags combine in the library's order: clean_text, handle_chinese_chars, accents
    /// (strip_accents, or lowercase when null), lowercase.
    func testFlagsCombineInTheLibrarysOrder() throws {
        // Lowercase with strip_accents null strips: "İ" is I + U+0307, the mark goes, then "i".
        let uncased = try HFTokenizer(data: Array("""
            {"normalizer": {"type": "BertNormalizer", "strip_accents": null, "lowercase": true},
             "model": {"type": "WordPiece", "unk_token": "[UNK]", "vocab": {"[UNK]": 0}}}
            """.utf8))
        XCTAssertEqual(uncased.normalized("İSTANBUL Café\u{0}中\tX"), "istanbul cafe 中  x")
        // Cased (LaBSE): accents and case kept; a spacing mark (U+0903) is never stripped.
        let cased = try Self.tokenizer(clean: true, chinese: true)
        XCTAssertEqual(cased.normalized("Café\u{200B} ः"), "Café ः")
        XCTAssertEqual(try Self.tokenizer(strip: true).normalized("e\u{301}\u{903}\u{20DD}"), "e\u{903}\u{20DD}")
    }
}
