// The JSON coding of an executable's META, PROG and RCPE sections: sorted keys, and non-finite
// floats (a clip bound of −∞, a pad value of NaN) as the strings "Infinity", "-Infinity" and
// "NaN", as the archive's graph.json writes them (no op parameter is one of those strings).

import Foundation

/// Public for tools (the fuzz targets) that read or write these sections themselves.
public enum ExecutableJSON {
    public static let markers = (positiveInfinity: "Infinity", negativeInfinity: "-Infinity", nan: "NaN")

    public static var encoder: JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        encoder.nonConformingFloatEncodingStrategy = .convertToString(
            positiveInfinity: markers.positiveInfinity, negativeInfinity: markers.negativeInfinity, nan: markers.nan)
        return encoder
    }

    public static var decoder: JSONDecoder {
        let decoder = JSONDecoder()
        decoder.nonConformingFloatDecodingStrategy = .convertFromString(
            positiveInfinity: markers.positiveInfinity, negativeInfinity: markers.negativeInfinity, nan: markers.nan)
        return decoder
    }
}
