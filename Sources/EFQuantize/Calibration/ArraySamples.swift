// One numpy array split into calibration samples for one model input. An input of shape S takes
// an array of shape S (one sample), [N] + S (N samples), or, when S starts with a batch axis of
// 1, [N] + S without that axis (N samples). Dtypes convert only exactly or as documented:
// float16 → float32 exactly, float64 → float32 rounded to nearest (values beyond float32's range
// refused), any numeric dtype → uint8 when every value is a whole number in 0…255.

import EFCore
import Foundation

/// Splitting an array into samples of one input.
enum ArraySamples {
    /// How many samples `array` holds for `input`.
    /// - Throws: `EdgeflowError.invalidInput` naming `file`, the input and the expected and found
    ///   dtype or shape (and the channel counts when only the channel axis differs).
    static func count(_ array: Tensor, for input: CalibrationInput, file: URL) throws -> Int {
        guard converts(array.dtype, to: input.dtype) else {
            throw EdgeflowError(.invalidInput,
                "\(file.path): the array for input \(input.label) is \(array.dtype.rawValue), which does not "
                    + "convert to \(input.dtype.rawValue)",
                hint: "save it as \(input.dtype.rawValue): array.astype(numpy.\(input.dtype.rawValue))")
        }
        let found = array.shape, shape = input.shape
        if found == shape { return 1 }
        if found.count == shape.count + 1, Array(found.dropFirst()) == shape { return found[0] }
        if shape.first == 1, found.count == shape.count, Array(found.dropFirst()) == Array(shape.dropFirst()) {
            return found[0]
        }
        var message = "\(file.path): the array for input \(input.label) has shape \(found.shapeDescription); "
            + "expected \(shape.shapeDescription) (one sample) or \(stacked(shape)) (N samples)"
        if let (takes, has) = channelMismatch(found, input) {
            message += ": the model takes \(takes) channel\(takes == 1 ? "" : "s"), the array has \(has)"
        }
        throw EdgeflowError(.invalidInput, message,
                            hint: "save one sample as \(shape.shapeDescription) or stack samples along a new "
                                + "first axis: \(stacked(shape))")
    }

    /// Sample `index` of `array` (whose sample count `count` returned) with exactly the input's
    /// dtype and shape.
    /// - Throws: `EdgeflowError.invalidInput` naming `file`, the input and the sample for a value
    ///   that does not convert exactly (or, float64 → float32, overflows) or is not finite.
    static func sample(_ index: Int, of array: Tensor, for input: CalibrationInput, file: URL) throws -> Tensor {
        let elements = input.shape.elementCount  // checked by SampleCollector
        let range = index * elements ..< (index + 1) * elements
        let context = "\(file.path): sample \(index) of input '\(input.name)'"
        let tensor: Tensor
        switch (array.dtype, input.dtype) {
        case let (from, to) where from == to:
            let bytes = from.byteSize
            tensor = array.withUnsafeBytes { raw in
                let slice = raw[range.lowerBound * bytes ..< range.upperBound * bytes]
                return Tensor(dtype: to, shape: input.shape, bytes: UnsafeRawBufferPointer(rebasing: slice))
            }
        case (.float16, .float32):
            let values = array.withUnsafeBufferPointer(as: Float16.self) { $0[range].map(Float.init) }
            tensor = Tensor(shape: input.shape, scalars: values)
        case (.float64, .float32):
            let values = array.withUnsafeBufferPointer(as: Double.self) { Array($0[range]) }
            var floats = [Float](repeating: 0, count: values.count)
            for (i, value) in values.enumerated() {
                floats[i] = Float(value)
                guard floats[i].isFinite || !value.isFinite else {
                    throw EdgeflowError(.invalidInput, "\(context): element \(i) is \(value), beyond float32's range",
                                        hint: "calibration data must fit the input's dtype (float32)")
                }
            }
            tensor = Tensor(shape: input.shape, scalars: floats)
        case (_, .uint8):
            tensor = Tensor(shape: input.shape, scalars: try wholeBytes(array, range, context))
        default:
            throw EdgeflowError(.internalError, "\(context): no conversion from \(array.dtype.rawValue)")
        }
        try requireFinite(tensor, context)
        return tensor
    }

    /// True when arrays of `from` become `to` exactly or by the documented rounding.
    static func converts(_ from: DType, to: DType) -> Bool {
        if from == to { return true }
        switch to {
        case .float32: return from == .float16 || from == .float64
        case .uint8: return from != .bool
        default: return false
        }
    }

    /// `shape` with a sample axis N: [N] + shape, or [N] + the rest after a leading batch of 1.
    private static func stacked(_ shape: [Int]) -> String {
        let rest = shape.first == 1 ? Array(shape.dropFirst()) : shape
        return "[" + (["N"] + rest.map(String.init)).joined(separator: ", ") + "]"
    }

    /// (model channels, array channels) when the array's per-sample shape differs from the rank-4
    /// input's only on the channel axis (1 for float NCHW, 3 for uint8 NHWC).
    private static func channelMismatch(_ found: [Int], _ input: CalibrationInput) -> (Int, Int)? {
        let shape = input.shape
        guard shape.count == 4 else { return nil }
        let perSample: [Int]
        if found.count == 5 { perSample = Array(found.dropFirst()) }
        else if found.count == 4 { perSample = [shape[0]] + found.dropFirst() }
        else { return nil }
        let axis = input.dtype == .uint8 ? 3 : 1
        let others = (0..<4).filter { $0 != axis }
        guard perSample[axis] != shape[axis], others.allSatisfy({ perSample[$0] == shape[$0] }) else { return nil }
        return (shape[axis], perSample[axis])
    }

    /// The elements in `range` as uint8, each a whole number in 0…255.
    private static func wholeBytes(_ array: Tensor, _ range: Range<Int>, _ context: String) throws -> [UInt8] {
        let values = doubles(array, range)
        var bytes = [UInt8](repeating: 0, count: values.count)
        for (i, value) in values.enumerated() {
            guard value == value.rounded(), (0...255).contains(value) else {
                throw EdgeflowError(.invalidInput,
                    "\(context): element \(i) is \(value), not a whole number in 0…255 (the input is uint8)",
                    hint: "give the bytes themselves, e.g. array.astype(numpy.uint8) after checking the range")
            }
            bytes[i] = UInt8(value)
        }
        return bytes
    }

    /// The elements in `range` as Double (exact for every dtype but 64-bit integers beyond 2^53,
    /// which are far outside 0…255 either way).
    private static func doubles(_ t: Tensor, _ range: Range<Int>) -> [Double] {
        switch t.dtype {
        case .float32: return t.withUnsafeBufferPointer(as: Float.self) { $0[range].map(Double.init) }
        case .float64: return t.withUnsafeBufferPointer(as: Double.self) { Array($0[range]) }
        case .float16: return t.withUnsafeBufferPointer(as: Float16.self) { $0[range].map(Double.init) }
        case .bfloat16: return t.withUnsafeBufferPointer(as: BFloat16.self) { $0[range].map { Double($0.floatValue) } }
        case .int8: return t.withUnsafeBufferPointer(as: Int8.self) { $0[range].map(Double.init) }
        case .uint8: return t.withUnsafeBufferPointer(as: UInt8.self) { $0[range].map(Double.init) }
        case .int16: return t.withUnsafeBufferPointer(as: Int16.self) { $0[range].map(Double.init) }
        case .uint16: return t.withUnsafeBufferPointer(as: UInt16.self) { $0[range].map(Double.init) }
        case .int32: return t.withUnsafeBufferPointer(as: Int32.self) { $0[range].map(Double.init) }
        case .uint32: return t.withUnsafeBufferPointer(as: UInt32.self) { $0[range].map(Double.init) }
        case .int64: return t.withUnsafeBufferPointer(as: Int64.self) { $0[range].map(Double.init) }
        case .uint64: return t.withUnsafeBufferPointer(as: UInt64.self) { $0[range].map { Double($0) } }
        case .bool: return t.withUnsafeBufferPointer(as: Bool.self) { $0[range].map { $0 ? 1 : 0 } }
        case .float8e4m3fn, .float8e4m3fnuz, .float8e5m2, .float8e5m2fnuz, .float8e8m0, .float4e2m1,
             .int4, .uint4, .int2, .uint2:
            return t.withUnsafeBytes { bytes in bytes[range].map { t.dtype.smallTypeValue(of: $0) } }
        }
    }

    /// Float samples must be finite: a NaN or infinity would spoil every range observed.
    private static func requireFinite(_ tensor: Tensor, _ context: String) throws {
        let bad: Int?
        switch tensor.dtype {
        case .float32: bad = tensor.withUnsafeBufferPointer(as: Float.self) { $0.firstIndex { !$0.isFinite } }
        case .float64, .float16, .bfloat16: bad = doubles(tensor, 0..<tensor.count).firstIndex { !$0.isFinite }
        default: bad = nil
        }
        if let bad {
            throw EdgeflowError(.invalidInput, "\(context): element \(bad) is \(doubles(tensor, bad..<bad + 1)[0])",
                                hint: "calibration data must be finite; fix or drop that sample")
        }
    }
}
