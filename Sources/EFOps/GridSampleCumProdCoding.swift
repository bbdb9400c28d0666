// The string-keyed form of gridSample's parameters (keys documented on OpType.gridSample) to
// and from the typed GridSampleParameters, and cumProd's decoding (keys as cumSum's), kept
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
}

extension OpParameters {
    /// Decodes cumProd's `axis`, `exclusive` and `reverse` (keys as cumSum's).
    static func scan(_ a: Attributes) throws -> CumSumOp {
        CumSumOp(axis: try a.requiredInt("axis"), exclusive: try flag(a, "exclusive", false),
                 reverse: try flag(a, "reverse", false))
    }
}
