// gridSample's parameters between their string-keyed form (keys documented on OpType.gridSample)
// and the typed GridSampleParameters, kept beside the other ops' coding in
// ParameterDecoding.swift / ParameterEncoding.swift.

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
