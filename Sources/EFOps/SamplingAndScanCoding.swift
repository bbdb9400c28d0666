// The string-keyed form of the sampling ops' parameters (gridSample, roiAlign; keys documented
// on OpType) to and from their typed parameters, and cumProd's decoding (keys as cumSum's), kept
// beside the other ops' coding in ParameterDecoding.swift / ParameterEncoding.swift.

import EFCore
import EFKernels

extension OpParameters {
    /// Decodes `mode` (default linear), `paddingMode` (default zeros) and `alignCorners` (default 0).
    static func gridSample(_ a: Attributes) throws -> GridSampleParameters {
        GridSampleParameters(mode: try choice(a, "mode", GridSampleMode.self, default: .linear),
                             padding: try choice(a, "paddingMode", GridSamplePadding.self, default: .zeros),
                             alignCorners: try flag(a, "alignCorners", false))
    }

    /// The string-keyed form of `p`, every key spelled out.
    static func gridSampleAttributes(_ p: GridSampleParameters) -> Attributes {
        ["mode": .string(p.mode.rawValue), "paddingMode": .string(p.padding.rawValue),
         "alignCorners": .int(p.alignCorners ? 1 : 0)]
    }

    /// Decodes `mode` (default avg), `outputHeight`, `outputWidth` (default 1), `samplingRatio`
    /// (default 0), `spatialScale` (default 1) and `halfPixel` (default 1).
    static func roiAlign(_ a: Attributes) throws -> RoiAlignParameters {
        RoiAlignParameters(mode: try choice(a, "mode", RoiAlignMode.self, default: .avg),
                           outputHeight: try int(a, "outputHeight", 1), outputWidth: try int(a, "outputWidth", 1),
                           samplingRatio: try int(a, "samplingRatio", 0),
                           spatialScale: Double(try float(a, "spatialScale", 1)),
                           halfPixel: try flag(a, "halfPixel", true))
    }

    /// The string-keyed form of `p`, every key spelled out.
    static func roiAlignAttributes(_ p: RoiAlignParameters) -> Attributes {
        ["mode": .string(p.mode.rawValue), "outputHeight": .int(p.outputHeight), "outputWidth": .int(p.outputWidth),
         "samplingRatio": .int(p.samplingRatio), "spatialScale": .float(Float(p.spatialScale)),
         "halfPixel": .int(p.halfPixel ? 1 : 0)]
    }
}

extension OpParameters {
    /// Decodes cumProd's `axis`, `exclusive` and `reverse` (keys as cumSum's).
    static func scan(_ a: Attributes) throws -> CumSumOp {
        CumSumOp(axis: try a.requiredInt("axis"), exclusive: try flag(a, "exclusive", false),
                 reverse: try flag(a, "reverse", false))
    }
}
