// Times EFSearch's brute-force vector scans: the exact fp32 scan and the int8 scan with exact
// rescoring, per query, over an `[n, d]` float32 `.npy` of rows and an `[q, d]` one of queries.
// A benchmark, not a test; the Edgeflow side of benchmarks/search/compare_faiss.py. Threads
// come from OMP_NUM_THREADS (the OpenMP pool the scan runs on).
//   edgeflow-search-bench --vectors ROWS.npy --queries QUERIES.npy [--k 10] [--repeat 5]
//                         [--rescore 4] [--ids OUT.npy] [--skip-int8]
// Prints one JSON object: median and best ms per query of each scan, recall@k of the int8 scan
// against the fp32 scan; `--ids` writes the fp32 scan's rows as an int64 `[q, k]` `.npy`.

import EFCore
import EFSearch
import Foundation

struct Arguments {
    var vectors = "", queries = "", ids: String?
    var k = 10, repeats = 5, rescore = 4
    var skipInt8 = false

    init(_ arguments: [String]) throws {
        var rest = arguments[...]
        func value(_ flag: String) throws -> String {
            guard let next = rest.popFirst() else { throw EdgeflowError(.invalidArgument, "\(flag) needs a value") }
            return next
        }
        func number(_ flag: String) throws -> Int {
            guard let n = Int(try value(flag)), n >= 1 else {
                throw EdgeflowError(.invalidArgument, "\(flag) needs a positive integer")
            }
            return n
        }
        while let argument = rest.popFirst() {
            switch argument {
            case "--vectors": vectors = try value(argument)
            case "--queries": queries = try value(argument)
            case "--ids": ids = try value(argument)
            case "--k": k = try number(argument)
            case "--repeat": repeats = try number(argument)
            case "--rescore": rescore = try number(argument)
            case "--skip-int8": skipInt8 = true
            default: throw EdgeflowError(.invalidArgument, "unknown argument \(argument)")
            }
        }
        if vectors.isEmpty || queries.isEmpty {
            throw EdgeflowError(.invalidArgument, "give --vectors ROWS.npy and --queries QUERIES.npy")
        }
    }
}

struct Timing: Encodable { var medianMs: Double; var bestMs: Double }

struct Report: Encodable {
    var rows: Int, dimension: Int, queries: Int, k: Int, threads: String
    var fp32: Timing
    var int8: Timing?
    var rescoreFactor: Int
    var int8RecallAtK: Double?
    var loadSeconds: Double
}

/// An `[n, d]` float32 `.npy` file as a table.
func loadTable(_ path: String) throws -> VectorTable {
    let tensor = try NPY.read(contentsOf: URL(fileURLWithPath: path))
    guard tensor.dtype == .float32, tensor.rank == 2 else {
        throw EdgeflowError(.invalidInput, "\(path): expected a 2-D float32 array, got \(tensor)")
    }
    var table = try VectorTable(dimension: tensor.shape[1])
    try table.reserveCapacity(tensor.shape[0])
    try tensor.withUnsafeBufferPointer(as: Float.self) { try table.append(contentsOf: $0) }
    return table
}

func median(_ values: [Double]) -> Double {
    let sorted = values.sorted()
    let middle = sorted.count / 2
    return sorted.count % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2
}

/// Runs `body` once per query per repeat (after one warm-up pass) and returns its timings in ms.
func time(_ queries: [[Float]], repeats: Int, _ body: ([Float]) throws -> [ScoredRow]) throws -> Timing {
    for query in queries { _ = try body(query) }
    var times: [Double] = []
    for _ in 0..<repeats {
        for query in queries {
            let start = DispatchTime.now().uptimeNanoseconds
            _ = try body(query)
            times.append(Double(DispatchTime.now().uptimeNanoseconds - start) / 1e6)
        }
    }
    return Timing(medianMs: median(times), bestMs: times.min() ?? 0)
}

do {
    let arguments = try Arguments(Array(CommandLine.arguments.dropFirst()))
    let loadStart = Date()
    let table = try loadTable(arguments.vectors)
    let queryTable = try loadTable(arguments.queries)
    let queries = (0..<queryTable.count).map { queryTable.row($0) }
    let quantized = arguments.skipInt8 ? nil : try QuantizedVectorTable(table)
    let loadSeconds = Date().timeIntervalSince(loadStart)
    let k = arguments.k
    let fp32 = try time(queries, repeats: arguments.repeats) { try VectorScan.topK(query: $0, in: table, k: k) }
    let exact = try queries.map { try VectorScan.topK(query: $0, in: table, k: k) }
    var report = Report(rows: table.count, dimension: table.dimension, queries: queries.count, k: k,
                        threads: ProcessInfo.processInfo.environment["OMP_NUM_THREADS"] ?? "default", fp32: fp32,
                        rescoreFactor: arguments.rescore, loadSeconds: loadSeconds)
    if let quantized {
        let factor = arguments.rescore
        report.int8 = try time(queries, repeats: arguments.repeats) {
            try VectorScan.topK(query: $0, in: quantized, k: k, rescoreFactor: factor)
        }
        var found = 0, wanted = 0
        for (query, truth) in zip(queries, exact) {
            let found8 = try VectorScan.topK(query: query, in: quantized, k: k, rescoreFactor: factor)
            let approximate = Set(found8.map(\.row))
            found += truth.filter { approximate.contains($0.row) }.count
            wanted += truth.count
        }
        report.int8RecallAtK = wanted == 0 ? 1 : Double(found) / Double(wanted)
    }
    if let ids = arguments.ids {
        let scalars = exact.flatMap { rows in (0..<k).map { Int64($0 < rows.count ? rows[$0].row : -1) } }
        try NPY.encode(Tensor(shape: [exact.count, k], scalars: scalars)).write(to: URL(fileURLWithPath: ids))
    }
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.sortedKeys]
    print(String(decoding: try encoder.encode(report), as: UTF8.self))
} catch {
    FileHandle.standardError.write(Data("edgeflow-search-bench: \(error)\n".utf8))
    exit(1)
}
