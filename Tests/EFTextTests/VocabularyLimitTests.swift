// Limits of vocabulary loading and tokenizing: endless and oversized files, gzip bombs, garbage
// vocabularies (each a clear invalid-input error), the context-length range, long texts in
// n·log n, and the heap BPE agreeing with CLIP's rescanning loop on repetitive words.

import EFCore
import EFTestSupport
import EFText
import Foundation
import XCTest

final class VocabularyLimitTests: XCTestCase {
    private var directory: URL!

    override func setUpWithError() throws { directory = try TestData.temporaryDirectory("edgeflow-vocab-limits") }
    override func tearDownWithError() throws { try? FileManager.default.removeItem(at: directory) }

    private func assertRefused(_ body: @autoclosure () throws -> Any, _ kind: EdgeflowError.Kind = .invalidInput,
                               contains part: String, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertThrowsError(try body(), file: file, line: line) { error in
            XCTAssertEqual((error as? EdgeflowError)?.kind, kind, "\(error)", file: file, line: line)
            XCTAssertTrue("\(error)".contains(part), "\(error) lacks '\(part)'", file: file, line: line)
        }
    }

    /// The real vocabulary's lines (plain text), or a skip.
    private func realLines() throws -> [String] {
        let text = try String(contentsOf: try VocabularyFiles.url(VocabularyFiles.plain), encoding: .utf8)
        return text.components(separatedBy: "\n")
    }

    func testEndlessAndOversizedFilesAreRefusedAfterTheLimit() throws {
        let start = Date()
        assertRefused(try CLIPTokenizer(vocabularyFile: URL(fileURLWithPath: "/dev/zero")),
                      contains: "larger than 16 MiB")
        let sparse = directory.appendingPathComponent("huge.txt")
        FileManager.default.createFile(atPath: sparse.path, contents: nil)
        let handle = try FileHandle(forWritingTo: sparse)
        try handle.truncate(atOffset: UInt64(VocabularyLimits.maxFileBytes + 1))
        try handle.close()
        assertRefused(try CLIPTokenizer(vocabularyFile: sparse), contains: "larger than 16 MiB")
        assertRefused(try CLIPTokenizer(vocabularyFile: directory), .io, contains: "cannot read")
        XCTAssertLessThan(Date().timeIntervalSince(start), 10)
    }

    func testGzipBombsStopEarly() throws {
        let zeros = BombFiles.compressedZeros(256 << 20, gzip: true)  // 256 MiB of zeros in ~250 kB
        XCTAssertLessThan(zeros.count, 1 << 20)
        assertRefused(try BPEVocabulary(data: zeros), contains: "longer than 1024 bytes")
        // Short lines inflating past the limit: refused while inflating, at the limit.
        let lines = BombFiles.gzip(Array(repeating: Array("a b\n".utf8), count: 1 << 16).flatMap { $0 })
        assertRefused(try BPEVocabulary(data: lines, decompressedLimit: 64 << 10),
                      contains: "inflates to more than 64 KiB")
        let path = directory.appendingPathComponent("bomb.txt.gz")
        try Data(zeros).write(to: path)
        assertRefused(try CLIPTokenizer(vocabularyFile: path), contains: "longer than 1024 bytes")
    }

    func testGarbageVocabulariesAreInvalidInput() throws {
        assertRefused(try BPEVocabulary(data: []), contains: "0 lines, need 48895")
        assertRefused(try BPEVocabulary(data: [0x1F, 0x8B, 8, 0, 1, 2, 3]), contains: "gzip data")
        assertRefused(try BPEVocabulary(data: Array("#version\n".utf8) + Array(repeating: 0x61, count: 5000)),
                      contains: "line 2 is longer than 1024 bytes")
        let lines = try realLines()
        func refused(_ modified: [String], _ part: String, line: UInt = #line) {
            assertRefused(try BPEVocabulary(data: Array(modified.joined(separator: "\n").utf8)), contains: part,
                          line: line)
        }
        refused(Array(lines.prefix(1000)), "lines, need 48895")
        var duplicate = lines
        duplicate[3] = lines[1]
        refused(duplicate, "line 4 makes a symbol that already exists")
        var unknownSymbol = lines
        unknownSymbol[2] = "\u{FFFD}\u{FFFD} x"
        refused(unknownSymbol, "line 3 merges a symbol no earlier line made")
        var noSpace = lines
        noSpace[5] = "nospace"
        refused(noSpace, "line 6 is not a merge")
        let bytes = Array(lines.joined(separator: "\n").utf8)
        var invalidUTF8 = bytes
        let lineStarts = bytes.indices.filter { bytes[$0] == 0x0A }.prefix(11).map { $0 + 1 }
        invalidUTF8[lineStarts[9]] = 0xFF  // line 11 starts with a byte that is never UTF-8
        assertRefused(try BPEVocabulary(data: invalidUTF8), contains: "line 11 merges a symbol no earlier line made")
        // The same bytes load from memory, plain or gzip, and tokenize like the file.
        let tokenizer = CLIPTokenizer(vocabulary: try BPEVocabulary(data: BombFiles.gzip(bytes)))
        XCTAssertEqual(tokenizer.encode("a photo of a cat"), try VocabularyFiles.tokenizer().encode("a photo of a cat"))
    }

    func testContextLengthRange() throws {
        let tokenizer = try VocabularyFiles.tokenizer()
        for length in [Int.min, -1, 0, 1, CLIPTokenizer.maxContextLength + 1, Int.max] {
            assertRefused(try tokenizer.tokenize("a", contextLength: length), .invalidArgument, contains: "2…4096")
        }
        XCTAssertEqual(try tokenizer.tokenize("a", contextLength: 4096).ids.count, 4096)
    }

    /// Texts over 1 MiB are refused at once; below that, a long word without white space is one
    /// BPE word, merged in n·log n (CLIP's loop is quadratic there), so it stays fast even in debug.
    func testLongTextsAreBoundedAndFast() throws {
        let tokenizer = try VocabularyFiles.tokenizer()
        var start = Date()
        let huge = String(repeating: "a", count: CLIPTokenizer.maxTextBytes + 1)
        assertRefused(try tokenizer.tokenize(huge), contains: "more than the limit of 1048576")
        XCTAssertLessThan(Date().timeIntervalSince(start), 2)
        start = Date()
        let word = String(repeating: "abcdefghijklmnopqrstuvwxyz", count: 5_000)  // 130 kB, one word
        let cut = try tokenizer.tokenize(word)
        XCTAssertTrue(cut.truncated)
        XCTAssertEqual(cut.ids.count, 77)
        XCTAssertEqual(tokenizer.decode(Array(cut.ids[1..<76])), String(word.prefix(tokenizer.decode(
            Array(cut.ids[1..<76])).count)), "the kept ids spell the start of the word")
        let ids = tokenizer.encode(String(repeating: "a", count: 30_000) + String(repeating: "!?", count: 15_000))
        XCTAssertGreaterThan(ids.count, 100)
        XCTAssertLessThan(Date().timeIntervalSince(start), 15)
    }

    /// Repetitive words, where merges overlap ("aaaa", "abab"): the heap merge gives the ids of
    /// CLIP's own rescanning loop (simple_tokenizer.bpe, run on these words for the expectations).
    func testHeapMergeMatchesCLIPOnRepetitiveWords() throws {
        let tokenizer = try VocabularyFiles.tokenizer()
        let expected: [(String, [Int32])] = [
            ("aaaaaaa", [6727, 9583]),
            ("abababababab", [596, 596, 596, 596, 596, 3937]),
            ("aaabaaabaaab", [1821, 596, 1821, 596, 1821, 3937]),
            ("zzzzzzzzzzzzzzzzz", [35742, 35742, 35742, 1544, 20055]),
            ("hahahahahahahaha", [8058, 9501]),
            ("mississippimississippi", [11687, 604, 732, 595, 564, 834, 9594]),
            ("lllllllllo", [34874, 34874, 2982]),
            ("eeeeeeeeeeeeeeeeeeeeeeeeeeee", [11696, 11696, 11696, 11696, 11696, 11696, 17570]),
        ]
        for (word, ids) in expected {
            XCTAssertEqual(tokenizer.encode(word), ids, word)
            XCTAssertEqual(tokenizer.decode(ids), word + " ", word)
        }
    }
}
