// Photo → model input through EFMedia, timed per file on one core: decode (reduced where the
// format allows, like Pillow's draft), recipe, tensor packing. A benchmark, not a test; it is
// the Edgeflow side of benchmarks/media/compare_preprocess.py, which runs Pillow beside it.
//   edgeflow-media-bench [--recipe clip] [--size 224] [--iterations 10] [--exact]
//                        [--save-dir DIR] [--json] FILE...

import EFCore
import EFMedia
import Foundation

struct Arguments {
    var recipe = "clip"
    var size = 224
    var iterations = 10
    var exact = false
    var saveDirectory: String?
    var json = false
    var files: [String] = []

    init(_ arguments: [String]) throws {
        var rest = arguments[...]
        func value(_ flag: String) throws -> String {
            guard let next = rest.popFirst() else { throw EdgeflowError(.invalidArgument, "\(flag) needs a value") }
            return next
        }
        while let argument = rest.popFirst() {
            switch argument {
            case "--recipe": recipe = try value(argument)
            case "--size": size = Int(try value(argument)) ?? 0
            case "--iterations": iterations = max(1, Int(try value(argument)) ?? 1)
            case "--exact": exact = true
            case "--save-dir": saveDirectory = try value(argument)
            case "--json": json = true
            case let flag where flag.hasPrefix("--"): throw EdgeflowError(.invalidArgument, "unknown option \(flag)")
            default: files.append(argument)
            }
        }
        if files.isEmpty { throw EdgeflowError(.invalidArgument, "give at least one image file") }
    }
}

struct FileResult: Encodable {
    struct Times: Encodable { var best: Double; var median: Double }
    var file: String
    var decodedSize: [Int]
    var reduction: String
    var decodeMs: Times
    var totalMs: Times
    var tensor: String?
}

/// `body`'s result and its wall-clock milliseconds.
func timed<T>(_ body: () throws -> T) rethrows -> (T, Double) {
    var start = timespec(), end = timespec()
    clock_gettime(CLOCK_MONOTONIC, &start)
    let result = try body()
    clock_gettime(CLOCK_MONOTONIC, &end)
    return (result, Double(end.tv_sec - start.tv_sec) * 1e3 + Double(end.tv_nsec - start.tv_nsec) / 1e6)
}

func bestAndMedian(_ times: [Double]) -> FileResult.Times {
    let sorted = times.sorted()
    return FileResult.Times(best: sorted[0], median: sorted[sorted.count / 2])
}

func benchmark(_ path: String, recipe: PreprocessRecipe, arguments: Arguments) throws -> FileResult {
    let bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: path)))
    var options = DecodeOptions()
    if !arguments.exact { (options.minimumWidth, options.minimumHeight) = (arguments.size, arguments.size) }
    var decodeTimes: [Double] = [], totalTimes: [Double] = []
    var last: (DecodedImage, Tensor)?
    for iteration in 0...arguments.iterations {  // iteration 0 warms up
        let (decoded, decodeTime) = try timed { try ImageDecoder.decode(bytes: bytes, options: options) }
        let (tensor, rest) = try timed {
            TensorPacker.makeTensor(try recipe.apply(to: decoded.image), layout: .nchwFloat32, normalization: recipe.normalization)
        }
        if iteration > 0 {
            decodeTimes.append(decodeTime)
            totalTimes.append(decodeTime + rest)
        }
        last = (decoded, tensor)
    }
    guard let (decoded, tensor) = last else { throw EdgeflowError(.internalError, "no iteration ran") }
    var saved: String?
    if let directory = arguments.saveDirectory {
        let url = URL(fileURLWithPath: directory).appendingPathComponent(URL(fileURLWithPath: path).lastPathComponent + ".npy")
        try NPY.encode(tensor).write(to: url)
        saved = url.path
    }
    return FileResult(file: path, decodedSize: [decoded.image.width, decoded.image.height], reduction: decoded.reduction,
                      decodeMs: bestAndMedian(decodeTimes), totalMs: bestAndMedian(totalTimes), tensor: saved)
}

do {
    let arguments = try Arguments(Array(CommandLine.arguments.dropFirst()))
    let recipe = try PreprocessRecipe.named(arguments.recipe, size: arguments.size)
    let results = try arguments.files.map { try benchmark($0, recipe: recipe, arguments: arguments) }
    if arguments.json {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        print(String(decoding: try encoder.encode(["files": results]), as: UTF8.self))
    } else {
        for result in results {
            print(String(format: "%@: decode %.1f ms (%@, %d×%d), total %.1f ms best / %.1f median",
                         result.file, result.decodeMs.best, result.reduction, result.decodedSize[0], result.decodedSize[1],
                         result.totalMs.best, result.totalMs.median))
        }
    }
} catch {
    FileHandle.standardError.write(Data("edgeflow-media-bench: \(error)\n".utf8))
    exit(1)
}
