// TensorProto.DataType codes: their names and the Edgeflow dtype each maps to.

import EFCore

/// ONNX element type codes (TensorProto.DataType).
public enum OnnxDataType {
    /// Code → ONNX name, for every code onnx.proto (IR 13) defines.
    static let names: [Int: String] = [
        0: "undefined", 1: "float", 2: "uint8", 3: "int8", 4: "uint16", 5: "int16", 6: "int32", 7: "int64",
        8: "string", 9: "bool", 10: "float16", 11: "double", 12: "uint32", 13: "uint64", 14: "complex64",
        15: "complex128", 16: "bfloat16", 17: "float8e4m3fn", 18: "float8e4m3fnuz", 19: "float8e5m2",
        20: "float8e5m2fnuz", 21: "uint4", 22: "int4", 23: "float4e2m1", 24: "float8e8m0", 25: "uint2", 26: "int2",
    ]

    private static let dtypes: [Int: DType] = [
        1: .float32, 2: .uint8, 3: .int8, 4: .uint16, 5: .int16, 6: .int32, 7: .int64, 9: .bool,
        10: .float16, 11: .float64, 12: .uint32, 13: .uint64, 16: .bfloat16,
        17: .float8e4m3fn, 18: .float8e4m3fnuz, 19: .float8e5m2, 20: .float8e5m2fnuz, 21: .uint4, 22: .int4,
        23: .float4e2m1, 24: .float8e8m0, 25: .uint2, 26: .int2,
    ]

    /// The ONNX name of a code, e.g. "float8e4m3fn"; "data type N" for unknown codes.
    public static func name(_ code: Int) -> String { names[code] ?? "data type \(code)" }

    /// The Edgeflow dtype for an ONNX code, or nil when Edgeflow has none.
    public static func dtype(_ code: Int) -> DType? { dtypes[code] }

    /// The ONNX code of an Edgeflow dtype.
    public static func code(_ dtype: DType) -> Int {
        dtypes.first(where: { $0.value == dtype })?.key ?? 0
    }

    /// The dtype for `code`, or an error for codes Edgeflow does not support.
    /// - Throws: `EdgeflowError.invalidModel` for undefined or unknown codes,
    ///   `EdgeflowError.unsupported` for string, complex and other types Edgeflow lacks.
    public static func requiredDType(_ code: Int, for what: String) throws -> DType {
        if let dtype = dtypes[code] { return dtype }
        guard code != 0, let name = names[code] else {
            let problem = code == 0 ? "no element type" : "unknown data type code \(code)"
            throw EdgeflowError(.invalidModel, "\(what) has \(problem)")
        }
        throw EdgeflowError(.unsupported, "\(what) has element type \(name), which Edgeflow does not support",
                            hint: "supported types: float, double, float16, bfloat16, (u)int2/4/8/16/32/64, bool, "
                                + "float8 (e4m3fn, e4m3fnuz, e5m2, e5m2fnuz, e8m0), float4e2m1")
    }
}
