// RGB photos as the YUV input a model script's input_conversion makes a model take, so a photo
// calibration set still works: the exact inverse of the conversion's affine map (in double),
// rounded half away from zero and clamped to bytes; NV12/NV21 keep the chroma of each 2 × 2
// block's top-left pixel, as OpenCV's RGB → I420 does. Calibration data only: a camera's encoder
// may filter its chroma instead.

import EFCore

extension YUVConversion {
    /// The YUV input for RGB pixels `rgb` (uint8 [height, width, 3], R, G, B): [height, width, 3]
    /// interleaved Y, U, V, or an NV12/NV21 frame of 3·height/2 rows of `width` bytes.
    /// - Throws: `EdgeflowError.invalidArgument` when `rgb` does not hold height·width pixels or
    ///   a side is odd with NV12/NV21.
    public func encode(rgb: [UInt8], height: Int, width: Int) throws -> [UInt8] {
        let pixels = height * width
        guard height > 0, width > 0, rgb.count == pixels * 3 else {
            throw EdgeflowError(.invalidArgument, "YUV encoding needs \(height) × \(width) RGB pixels, got "
                                    + "\(rgb.count) bytes")
        }
        _ = try inputShape(batch: 1, height: height, width: width)
        let inverse = inverseTransposed
        var yuv = [Double](repeating: 0, count: pixels * 3)
        let order = channelOrder, offsets = bias.map(Double.init)
        for pixel in 0..<pixels {
            let base = pixel * 3
            let c0 = Double(rgb[base + order[0]]) - offsets[0], c1 = Double(rgb[base + order[1]]) - offsets[1]
            let c2 = Double(rgb[base + order[2]]) - offsets[2]
            for row in 0..<3 {
                yuv[base + row] = inverse[row * 3] * c0 + inverse[row * 3 + 1] * c1 + inverse[row * 3 + 2] * c2
            }
        }
        func byte(_ value: Double) -> UInt8 { UInt8(Swift.min(Swift.max(value.rounded(), 0), 255)) }
        guard layout != .interleaved else { return yuv.map(byte) }
        var frame = (0..<pixels).map { byte(yuv[$0 * 3]) }
        let (first, second) = layout == .nv12 ? (1, 2) : (2, 1)
        for blockRow in 0..<height / 2 {
            for blockColumn in 0..<width / 2 {
                let corner = (2 * blockRow * width + 2 * blockColumn) * 3
                frame.append(byte(yuv[corner + first]))
                frame.append(byte(yuv[corner + second]))
            }
        }
        return frame
    }

    /// (Mᵀ)⁻¹ row-major, in double: model channels = Mᵀ · (Y, U, V) + bias.
    private var inverseTransposed: [Double] {
        let m = (0..<9).map { Double(matrix[($0 % 3) * 3 + $0 / 3]) }   // Mᵀ
        let cofactors = [m[4] * m[8] - m[5] * m[7], m[2] * m[7] - m[1] * m[8], m[1] * m[5] - m[2] * m[4],
                         m[5] * m[6] - m[3] * m[8], m[0] * m[8] - m[2] * m[6], m[2] * m[3] - m[0] * m[5],
                         m[3] * m[7] - m[4] * m[6], m[1] * m[6] - m[0] * m[7], m[0] * m[4] - m[1] * m[3]]
        let determinant = m[0] * cofactors[0] + m[1] * cofactors[3] + m[2] * cofactors[6]
        return cofactors.map { $0 / determinant }
    }
}
