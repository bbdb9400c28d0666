// Loading one input for `infer` and checking it against the model's input contract. On a
// mismatch the message states what was expected and what was given — dtype, shape, elements
// and bytes — and the hint names the likely mistake (a float64 array where float32 is
// expected, uint8 pixels vs floats, NHWC vs NCHW, a missing batch dimension, raw bytes
// instead of .npy); the confusion of the forum thread in seed 002.

import EFCore
import EFIR
import Foundation

enum InputCheck {
    /// The tensor in the `.npy` file at `url`, checked against `expected`.
    /// - Throws: `EdgeflowError.io` when the file cannot be read, `.invalidInput` when it is
    ///   not a valid `.npy` file or does not match `expected`.
    static func load(input name: String, from url: URL, expected: TensorType) throws -> Tensor {
        let file = CommandSupport.display(url)
        guard FileManager.default.fileExists(atPath: url.path) else {
            throw EdgeflowError(.io, "cannot read \(file) for input '\(name)': no such file")
        }
        let data: Data
        do { data = try Data(contentsOf: url) } catch {
            throw EdgeflowError(.io, "cannot read \(file) for input '\(name)': \(error.localizedDescription)")
        }
        let header: NPY.Header
        do { header = try NPY.readHeader(data) } catch let error as EdgeflowError {
            // A file with numpy's magic is a damaged .npy (say which number is wrong); without it
            // the likely mistake is raw bytes saved with tofile().
            guard data.starts(with: NPY.magic) else {
                throw rawBytesError(input: name, file: file, byteCount: data.count, expected: expected)
            }
            throw error.prefixed("\(file) (input '\(name)')")
        }
        // numpy has no bfloat16: a bfloat16 input is given as its uint16 bit patterns.
        let bitPatterns = header.dtype == .uint16 && expected.dtype == .bfloat16
        let givenDType = bitPatterns ? .bfloat16 : header.dtype
        // The header's shape is not trusted: its counts are computed without trapping.
        let givenCount = header.shape.checkedElementCount
        let givenBytes = header.dtype.flatMap { dtype in
            givenCount.flatMap { count in
                let (bytes, overflow) = count.multipliedReportingOverflow(by: dtype.byteSize)
                return overflow ? nil : bytes
            }
        }
        if givenDType != expected.dtype || header.shape != expected.shape {
            let given = "\(header.dtype?.rawValue ?? "numpy dtype '\(header.descr)'")\(header.shape.shapeDescription) ("
                + (givenCount.map { "\(CommandSupport.grouped($0)) elements" } ?? "too many elements")
                + (givenBytes.map { ", \(CommandSupport.grouped($0)) bytes)" } ?? ")")
            let fixes = dtypeFixes(given: givenDType, descr: header.descr, expected: expected.dtype)
                + shapeFixes(given: header.shape, expected: expected.shape, input: name)
            throw EdgeflowError(.invalidInput,
                "input '\(name)' expects \(describe(expected)) but \(file) holds \(given)",
                hint: fixes.isEmpty ? nil : fixes.joined(separator: "; "))
        }
        do {
            let tensor = try NPY.decode(data)
            guard bitPatterns else { return tensor }
            return tensor.withUnsafeBytes { Tensor(dtype: .bfloat16, shape: tensor.shape, bytes: $0) }
        } catch let error as EdgeflowError {
            throw error.prefixed("\(file) (input '\(name)')")
        }
    }

    /// `float32[1, 3, 224, 224] (150,528 elements, 602,112 bytes)`.
    static func describe(_ type: TensorType) -> String {
        let elements = type.shape.elementCount
        return "\(type) (\(CommandSupport.grouped(elements)) elements, "
            + "\(CommandSupport.grouped(elements * type.dtype.byteSize)) bytes)"
    }

    /// Hints for a dtype mismatch.
    static func dtypeFixes(given: DType?, descr: String, expected: DType) -> [String] {
        guard given != expected else { return [] }
        let cast = "a.astype(numpy.\(numpyName(expected)))"
        switch (given, expected) {
        case (nil, _) where descr.hasPrefix(">"):
            return ["the array is big-endian: convert with \(cast)"]
        case (.float64?, .float32):
            return ["numpy makes float64 arrays by default: cast with \(cast)"]
        case (.uint8?, let target) where target.isFloatingPoint:
            return ["the model takes \(target.rawValue) values, not uint8 pixels: convert with \(cast) and "
                + "apply the model's preprocessing (e.g. scale to [0, 1] and normalize)"]
        case (let source?, .uint8) where source.isFloatingPoint:
            return ["the model takes uint8 pixels (0-255), not floats: pass the unnormalized image, e.g. "
                + "numpy.clip(a, 0, 255).astype(numpy.uint8)"]
        default:
            return ["cast with \(cast)"]
        }
    }

    /// Hints for a shape mismatch.
    static func shapeFixes(given: [Int], expected: [Int], input: String) -> [String] {
        guard given != expected else { return [] }
        let target = expected.map(String.init).joined(separator: ", ")
        if expected.first == 1 && Array(expected.dropFirst()) == given {
            return ["the batch dimension is missing: use a[numpy.newaxis]"]
        }
        if given.first == 1 && Array(given.dropFirst()) == expected {
            return ["the array has an extra leading dimension: use a[0]"]
        }
        if let perm = permutation(from: given, to: expected) {
            return ["the axes are in another order (\(layoutNote(perm))): use "
                + "a.transpose(\(perm.map(String.init).joined(separator: ", ")))"]
        }
        if expected.first == 1, let perm = permutation(from: given, to: Array(expected.dropFirst())) {
            return ["the batch dimension is missing and the axes are in another order "
                + "(\(layoutNote(unbatched: perm))): use "
                    + "a.transpose(\(perm.map(String.init).joined(separator: ", ")))[numpy.newaxis]"]
        }
        if given.count == expected.count, given.count > 1, expected.first == 1, given[0] > 1,
           Array(given.dropFirst()) == Array(expected.dropFirst()) {
            return ["the model was parsed for batch size 1: pass one item at a time, or parse it again with "
                + "--input-shape \(input)=\(given.map(String.init).joined(separator: ","))"]
        }
        if given.checkedElementCount == expected.elementCount {
            return ["the element count is right; if the data is already laid out as the model expects, use "
                + "a.reshape(\(target))"]
        }
        return ["the model's input shape is fixed at [\(target)]: resize or crop the data to it (or parse the "
            + "model again with --input-shape if it allows other sizes)"]
    }

    /// The axes `p` with given[p[i]] == expected[i], taking equal sizes in order; nil when
    /// `given` is not a reordering of `expected`.
    private static func permutation(from given: [Int], to expected: [Int]) -> [Int]? {
        guard given.count == expected.count, given.count > 1 else { return nil }
        var used = Set<Int>()
        var perm: [Int] = []
        for size in expected {
            guard let axis = given.indices.first(where: { given[$0] == size && !used.contains($0) }) else { return nil }
            used.insert(axis)
            perm.append(axis)
        }
        return perm == Array(given.indices) ? nil : perm
    }

    private static func layoutNote(_ perm: [Int]) -> String {
        switch perm {
        case [0, 3, 1, 2]: return "NHWC given, the model expects NCHW"
        case [0, 2, 3, 1]: return "NCHW given, the model expects NHWC"
        case [2, 0, 1]: return "HWC given, the model expects CHW"
        case [1, 2, 0]: return "CHW given, the model expects HWC"
        default: return "the model expects another axis order"
        }
    }

    private static func layoutNote(unbatched perm: [Int]) -> String {
        switch perm {
        case [2, 0, 1]: return "HWC given, the model expects NCHW"
        case [1, 2, 0]: return "CHW given, the model expects NHWC"
        default: return "the model expects another axis order"
        }
    }

    private static func rawBytesError(input name: String, file: String, byteCount: Int,
                                      expected: TensorType) -> EdgeflowError {
        let elements = expected.shape.elementCount
        var hint = "save the array with numpy.save('\(name).npy', a)"
        if byteCount == elements * expected.dtype.byteSize {
            hint += "; its size matches raw \(expected.dtype.rawValue) data of this shape"
        } else if elements > 0, byteCount % elements == 0, let guess = rawGuess(bytesPerElement: byteCount / elements) {
            hint += "; \(CommandSupport.grouped(byteCount)) bytes is \(CommandSupport.grouped(elements)) "
                + "elements × \(byteCount / elements) bytes, as if it held \(guess) where "
                    + "\(expected.dtype.rawValue) is expected"
        }
        return EdgeflowError(.invalidInput,
            "\(file) is not a .npy file (\(CommandSupport.grouped(byteCount)) bytes); input '\(name)' expects "
                + "\(describe(expected))",
            hint: hint)
    }

    private static func rawGuess(bytesPerElement: Int) -> String? {
        switch bytesPerElement {
        case 1: return "uint8 or int8"
        case 2: return "float16 or int16"
        case 4: return "float32 or int32"
        case 8: return "float64 or int64"
        default: return nil
        }
    }

    private static func numpyName(_ dtype: DType) -> String {
        switch dtype {
        case .bool: return "bool_"
        case .bfloat16: return "uint16"  // numpy has no bfloat16; Edgeflow reads its bit patterns
        default: return dtype.rawValue
        }
    }
}
