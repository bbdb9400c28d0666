// The tokenizer.json reader on bad input: truncated JSON, wrong types, huge vocabulary claims,
// unknown components, bad charsmaps; each is refused with an EdgeflowError that names the file
// and the JSON path of the bad field. Also small behaviour checks that need no golden.

import EFCore
import EFTestSupport
import EFText
import Foundation
import XCTest

final class HFTokenizerReaderTests: XCTestCase {
    static let minimal = #"{"model":{"type":"BPE","vocab":{"a":0,"b":1,"ab":2},"merges":["a b"]}}"#

    /// A one-token BPE file with `member` (a `"key": value` member) added.
    static func with(_ member: String) -> String {
        #"{"model":{"type":"BPE","vocab":{"a":0},"merges":[]},"# + member + "}"
    }

    func refusal(_ json: String, file: StaticString = #filePath, line: UInt = #line) -> EdgeflowError? {
        do {
            _ = try HFTokenizer(data: Array(json.utf8), source: "bad.json")
            XCTFail("accepted: \(json.prefix(80))", file: file, line: line)
            return nil
        } catch let error as EdgeflowError {
            XCTAssertTrue(error.message.hasPrefix("bad.json"), error.message, file: file, line: line)
            return error
        } catch {
            XCTFail("not an EdgeflowError: \(error)", file: file, line: line)
            return nil
        }
    }

    func testMinimalFileLoadsAndMerges() throws {
        let tokenizer = try HFTokenizer(data: Array(Self.minimal.utf8))
        XCTAssertEqual(try tokenizer.encode("ab"), [2])
        XCTAssertEqual(try tokenizer.encode("ba"), [1, 0])
        XCTAssertEqual(tokenizer.id(of: "ab"), 2)
        XCTAssertNil(tokenizer.id(of: "zz"))
    }

    func testTruncatedJSONIsRefusedAtEveryCut() {
        let bytes = Array(Self.minimal.utf8)
        for cut in stride(from: 0, to: bytes.count - 1, by: 3) {
            let text = String(decoding: bytes[..<cut], as: UTF8.self)
            guard let error = refusal(text) else { continue }
            XCTAssertEqual(error.kind, .invalidModel)
        }
    }

    func testWrongTypesNameTheJSONPath() {
        let cases: [(String, String)] = [
            (#"{"model":{"type":"BPE","vocab":{"a":"zero"},"merges":[]}}"#, "model.vocab.a"),
            (#"{"model":{"type":"BPE","vocab":{"a":0.5},"merges":[]}}"#, "model.vocab.a"),
            (#"{"model":{"type":"BPE","vocab":{"a":0},"merges":[7]}}"#, "model.merges[0]"),
            (#"{"model":{"type":"BPE","vocab":{"a":0},"merges":["a"]}}"#, "model.merges[0]"),
            (#"{"model":{"type":"BPE","vocab":{"a":0},"merges":["a c"]}}"#, "model.merges[0]"),
            (#"{"model":{"type":"Unigram","vocab":[["a","x"]]}}"#, "model.vocab[0][1]"),
            (#"{"model":{"type":"Unigram","vocab":[["a",-1]],"unk_id":5}}"#, "model.unk_id"),
            (#"{"model":{"type":"BPE","vocab":{"a":0},"merges":[],"unk_token":"<unk>"}}"#, "model.unk_token"),
            (Self.with(#""normalizer":{"type":"Strip","strip_left":1}"#),
             "normalizer.strip_left"),
            (Self.with(#""normalizer":{"type":"Sequence","normalizers":["#
                  + #"{"type":"Replace","pattern":{"Regex":"("},"content":""}]}"#),
             "normalizer.normalizers[0].pattern.Regex"),
            (Self.with(#""pre_tokenizer":{"type":"Split","pattern":{"String":"a"},"behavior":"Sideways"}"#),
             "pre_tokenizer.behavior"),
            (Self.with(#""added_tokens":[{"id":"1","content":"x"}]"#),
             "added_tokens[0].id"),
            (Self.with(#""post_processor":{"type":"TemplateProcessing","single":["#
                  + #"{"SpecialToken":{"id":"<s>","type_id":0}},"#
                  + #"{"Sequence":{"id":"A","type_id":0}}],"special_tokens":{}}"#),
             "post_processor.single[0].SpecialToken"),
            (Self.with(#""normalizer":{"type":"Precompiled","precompiled_charsmap":"!!"}"#),
             "normalizer.precompiled_charsmap"),
            (Self.with(#""normalizer":{"type":"Precompiled","precompiled_charsmap":"/////wAAAAA="}"#),
             "normalizer.precompiled_charsmap"),
            (#"{"normalizer":null}"#, "model"),
            (Self.with(#""pre_tokenizer":{"type":"Punctuation","behavior":"Sideways"}"#), "pre_tokenizer.behavior"),
            (Self.with(#""normalizer":{"type":"BertNormalizer","lowercase":"yes"}"#), "normalizer.lowercase"),
            (#"[1, 2]"#, "the document"),
        ]
        for (json, path) in cases {
            guard let error = refusal(json) else { continue }
            XCTAssertEqual(error.kind, .invalidModel, json)
            XCTAssertTrue(error.message.contains(path), "\(error.message) should name \(path)")
        }
    }

    func testUnknownComponentsAreUnsupportedAndNamed() {
        let cases = [
            (#"{"model":{"type":"Kitten"}}"#, "Kitten"),
            (Self.with(#""normalizer":{"type":"ByteLevel"}"#), "ByteLevel"),
            (#"{"model":{"type":"BPE","vocab":{},"merges":[]},"pre_tokenizer":{"type":"UnicodeScripts"}}"#,
             "UnicodeScripts"),
            (#"{"model":{"type":"BPE","vocab":{},"merges":[]},"post_processor":{"type":"Fancy"}}"#, "Fancy"),
            (#"{"model":{"type":"BPE","vocab":{},"merges":[],"dropout":0.1}}"#, "dropout"),
        ]
        for (json, name) in cases {
            guard let error = refusal(json) else { continue }
            XCTAssertEqual(error.kind, .unsupported, json)
            XCTAssertTrue(error.message.contains(name), "\(error.message) should name \(name)")
        }
    }

    func testHugeClaimsAreRefusedBeforeTablesAreBuilt() {
        // More merges than the limit: refused from the array's length, before any merge is read.
        let merges = String(repeating: "0,", count: TokenizerLimits.maxMerges) + "0"
        let error = refusal(#"{"model":{"type":"BPE","vocab":{},"merges":["# + merges + "]}}")
        XCTAssertTrue(error?.message.contains("model.merges") ?? false, error?.message ?? "")
        // An id far outside any vocabulary.
        XCTAssertNotNil(refusal(#"{"model":{"type":"BPE","vocab":{"a":4000000000},"merges":[]}}"#))
        // Nesting deeper than the parser allows.
        XCTAssertNotNil(refusal(String(repeating: "[", count: 10_000)))
        // A token longer than the limit.
        let long = String(repeating: "x", count: TokenizerLimits.maxTokenBytes + 1)
        XCTAssertNotNil(refusal(#"{"model":{"type":"Unigram","vocab":[[""# + long + #"",-1]]}}"#))
    }

    func testOversizedFileIsRefusedBeforeReading() throws {
        let directory = try TestData.temporaryDirectory("hf-tokenizer")
        defer { try? FileManager.default.removeItem(at: directory) }
        let url = directory.appendingPathComponent("tokenizer.json")
        XCTAssertTrue(FileManager.default.createFile(atPath: url.path, contents: nil))
        let handle = try FileHandle(forWritingTo: url)
        try handle.truncate(atOffset: UInt64(TokenizerLimits.maxFileBytes + 1))  // sparse
        try handle.close()
        XCTAssertThrowsError(try HFTokenizer(contentsOf: url)) { error in
            XCTAssertEqual((error as? EdgeflowError)?.kind, .invalidInput)
        }
    }

    func testInvalidUTF8AndLoneSurrogatesAreRefused() {
        XCTAssertThrowsError(try HFTokenizer(data: [0x7B, 0x22, 0xFF, 0x22, 0x3A, 0x31, 0x7D]))
        XCTAssertNotNil(refusal(#"{"model":{"type":"BPE","vocab":{"\ud800":0},"merges":[]}}"#))
    }

    func testUnigramWithoutUnknownIdRefusesUncoveredText() throws {
        let tokenizer = try HFTokenizer(data: Array(#"{"model":{"type":"Unigram","vocab":[["a",-1]]}}"#.utf8))
        XCTAssertEqual(try tokenizer.encode("aa"), [0, 0])
        XCTAssertThrowsError(try tokenizer.encode("ab")) { error in
            XCTAssertEqual((error as? EdgeflowError)?.kind, .invalidInput)
        }
    }

    func testImmichCleanupMatchesPythonSplitJoin() {
        XCTAssertEqual(ImmichTextCleaner.clean("  a \t b\u{1C}c\n\u{3000}d  "), "a b c d")
        XCTAssertEqual(ImmichTextCleaner.clean("Hello, World! ΟΔΟΣ", canonicalize: true), "hello world οδος")
        XCTAssertEqual(ImmichTextCleaner.clean(""), "")
    }

    func testTokenizeTruncatesKeepingSpecialIdsAndPads() throws {
        let json = #"{"model":{"type":"WordPiece","unk_token":"[UNK]","vocab":{"[UNK]":0,"[CLS]":1,"[SEP]":2,"a":3}},"#
            + #""pre_tokenizer":{"type":"WhitespaceSplit"},"#
            + #""post_processor":{"type":"BertProcessing","sep":["[SEP]",2],"cls":["[CLS]",1]}}"#
        let tokenizer = try HFTokenizer(data: Array(json.utf8))
        XCTAssertEqual(try tokenizer.tokenize("a a a a a", contextLength: 4, padID: 9).ids, [1, 3, 3, 2])
        XCTAssertEqual(try tokenizer.tokenize("a b", contextLength: 6, padID: 9).ids, [1, 3, 0, 2, 9, 9])
        XCTAssertThrowsError(try tokenizer.tokenize("a", contextLength: 2, padID: 0))
    }
}
