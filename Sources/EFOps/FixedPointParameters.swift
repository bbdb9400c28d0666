// Typed parameters of TFLite's integer ops (fixedPointRequantize, lookupSoftmax; OpType
// documents the keys) and their string-keyed form.

import EFCore
import EFKernels

/// fixedPointRequantize: channel axis, output zero point, clamp and dtype.
public struct FixedPointRequantizeOp: Equatable, Sendable {
    /// The channel axis of x when there are several multipliers.
    public var axis: Int
    public var zeroPoint: Int32
    /// The clamp after the zero point is added (the fused activation's range), within `outputDType`.
    public var lower: Int32
    public var upper: Int32
    /// int8, uint8, int16 or int32.
    public var outputDType: DType

    public init(axis: Int, zeroPoint: Int32, lower: Int32, upper: Int32, outputDType: DType) {
        self.axis = axis
        self.zeroPoint = zeroPoint
        self.lower = lower
        self.upper = upper
        self.outputDType = outputDType
    }
}

extension OpParameters {
    static func fixedPointRequantize(_ a: Attributes) throws -> FixedPointRequantizeOp {
        let dtype = try a.requiredDType("outputDType")
        guard Kernels.fixedPointOutputDTypes.contains(dtype) else {
            throw EdgeflowError(.invalidModel,
                "fixedPointRequantize writes int8, uint8, int16 or int32, not \(dtype.rawValue)")
        }
        func int32(_ key: String) throws -> Int32 {
            let value = try a.requiredInt(key)
            guard let narrow = Int32(exactly: value) else {
                throw EdgeflowError(.invalidModel, "parameter '\(key)' \(value) is outside int32")
            }
            return narrow
        }
        return FixedPointRequantizeOp(axis: try int(a, "axis", 0), zeroPoint: try int32("zeroPoint"),
                                      lower: try int32("lower"), upper: try int32("upper"), outputDType: dtype)
    }

    static func fixedPointRequantizeAttributes(_ p: FixedPointRequantizeOp) -> Attributes {
        ["axis": .int(p.axis), "zeroPoint": .int(Int(p.zeroPoint)), "lower": .int(Int(p.lower)),
         "upper": .int(Int(p.upper)), "outputDType": .string(p.outputDType.rawValue)]
    }
}

extension OpParameters {
    static func lookupSoftmax(_ a: Attributes) throws -> OpParameters {
        let scale = try float(a, "scale", 0), zeroPoint = try a.requiredInt("zeroPoint")
        guard scale.isFinite, scale > 0, (-128...127).contains(zeroPoint) else {
            throw EdgeflowError(.invalidModel, "lookupSoftmax needs a positive scale and an int8 zero point, got "
                + "\(scale) and \(zeroPoint)")
        }
        return .lookupSoftmax(axis: try a.requiredInt("axis"), scale: scale, zeroPoint: Int32(zeroPoint))
    }
}
