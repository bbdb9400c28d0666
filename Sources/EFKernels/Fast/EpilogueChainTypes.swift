// What FastKernels.dequantizeChain runs after the dequantization: the stages and outputs of a
// fused int8 epilogue. Defined once here (not in the per-build sources), so every build of the
// chain kernel (EFKernelsAVX2, EFKernelsAVX512) takes these same values.

import EFCore

extension FastKernels {
    /// One float stage of an epilogue chain, applied to the running value t.
    public enum EpilogueStage: @unchecked Sendable {
        /// t = fn(t, operand), or fn(operand, t) when `operandFirst`; fn is add, sub, mul or div.
        /// The operand has the chain's `count` elements, or one when `scalar`.
        case binary(BinaryFunction, operand: UnsafePointer<Float>, scalar: Bool, operandFirst: Bool)
        /// t = fn(t); `supportsUnary(fn)` must hold.
        case unary(UnaryFunction, UnaryParameters)

        /// True for the binary functions a stage takes.
        public static func takes(_ fn: BinaryFunction) -> Bool { [.add, .sub, .mul, .div].contains(fn) }
    }

    /// What follows the dequantization of `dequantizeChain`: stages in order, then the outputs
    /// (at least one). Pointers cover the chain's `count` elements.
    public struct EpilogueChain: @unchecked Sendable {
        public var stages: [EpilogueStage]
        /// Where the float32 result goes when something reads it as float. It may be exactly a
        /// full-size binary operand (in place), and must overlap nothing else.
        public var floatOutput: UnsafeMutablePointer<Float>?
        /// u8 = quantizeLinearU8(result, scale, zeroPoint) goes here; it must overlap no input.
        public var quantizedOutput: UnsafeMutablePointer<UInt8>?
        public var scale: Float
        public var zeroPoint: UInt8

        public init(stages: [EpilogueStage], floatOutput: UnsafeMutablePointer<Float>?,
                    quantizedOutput: UnsafeMutablePointer<UInt8>?, scale: Float, zeroPoint: UInt8) {
            self.stages = stages
            self.floatOutput = floatOutput
            self.quantizedOutput = quantizedOutput
            self.scale = scale
            self.zeroPoint = zeroPoint
        }
    }
}
