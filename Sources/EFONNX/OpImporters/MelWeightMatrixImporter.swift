// ONNX MelWeightMatrix (opset 17): the [dft_length / 2 + 1, num_mel_bins] matrix of triangular
// mel filters that maps a one-sided spectrum to mel bands, folded to a constant at import (its
// inputs must be known then), computed in double as the ONNX reference does.

import EFCore
import EFIR
import Foundation

enum MelWeightMatrixImporter {
    /// Mel bands spaced evenly in mel (2595·log10(1 + f/700)) between the edge frequencies, each
    /// a triangle over spectrogram bins from its lower to its upper neighbour's center.
    /// - Throws: `invalidModel` naming the node for non-positive sizes or rate, or band edges
    ///   outside the spectrogram; `unsupported` for a non-numeric output_datatype.
    static func importMelWeightMatrix(_ node: OnnxNode, _ ctx: ImportContext) throws {
        func integer(_ index: Int, _ role: String) throws -> Int {
            let values = try LoweringSupport.intValues(try ctx.requiredConstantInput(node, index, role), node, role)
            guard values.count == 1 else { throw LoweringSupport.invalid(node, "\(role) must be a scalar") }
            return values[0]
        }
        func frequency(_ index: Int, _ role: String) throws -> Double {
            let values = try ctx.requiredConstantInput(node, index, role).doubleValues()
            guard values.count == 1, values[0].isFinite else {
                throw LoweringSupport.invalid(node, "\(role) must be a finite scalar")
            }
            return values[0]
        }
        let (bands, length, rate) = (try integer(0, "num_mel_bins"), try integer(1, "dft_length"),
                                     try integer(2, "sample_rate"))
        let (lower, upper) = (try frequency(3, "lower_edge_hertz"), try frequency(4, "upper_edge_hertz"))
        let code = try node.attributeInt("output_datatype") ?? 1
        guard let dtype = OnnxDataType.dtype(code), dtype.isFloatingPoint || dtype.isInteger else {
            throw LoweringSupport.unsupported(node, "output_datatype \(code)")
        }
        guard bands > 0, length > 0, rate > 0, bands < 1 << 20, length < 1 << 30 else {
            throw LoweringSupport.invalid(node, "num_mel_bins \(bands), dft_length \(length) and sample_rate \(rate) "
                + "must be positive (and below 2^20, 2^30)")
        }
        let bins = length / 2 + 1
        let count = try ConstantTensors.checkedCount(Double(bins) * Double(bands), ctx, node, elementSize: 8)
        let edges = Self.bandEdges(bands: bands, length: length, rate: rate, lower: lower, upper: upper)
        if let outside = edges.first(where: { !(0..<bins).contains($0) }) {
            throw LoweringSupport.invalid(node, "a band edge falls on spectrogram bin \(outside), outside 0..<\(bins) "
                + "(lower_edge_hertz \(lower), upper_edge_hertz \(upper), sample_rate \(rate))")
        }
        var matrix = [Double](repeating: 0, count: count)
        for band in 0..<bands {
            let (left, center, right) = (edges[band], edges[band + 1], edges[band + 2])
            if center == left {
                matrix[center * bands + band] = 1
            } else if left < center {
                for j in left...center { matrix[j * bands + band] = Double(j - left) / Double(center - left) }
            }
            for j in center..<max(center, right) {
                matrix[j * bands + band] = Double(right - j) / Double(right - center)
            }
        }
        ctx.addWeight(try ElementwiseImporters.output(node),
                      try LoweringSupport.converted(matrix, dtype, shape: [bins, bands]))
    }

    /// The spectrogram bin of each of the bands + 2 band edges: evenly spaced in mel over
    /// bands + 2 steps from `lower`, back in hertz, floor((length + 1)·f / rate).
    private static func bandEdges(bands: Int, length: Int, rate: Int, lower: Double, upper: Double) -> [Int] {
        let lowMel = 2595 * log10(1 + lower / 700), highMel = 2595 * log10(1 + upper / 700)
        let step = (highMel - lowMel) / Double(bands + 2)
        return (0..<(bands + 2)).map { k -> Int in
            let hertz = 700 * (pow(10, (Double(k) * step + lowMel) / 2595) - 1)
            let bin = (Double(length + 1) * hertz / Double(rate)).rounded(.down)
            return bin.isFinite && abs(bin) < 1e15 ? Int(bin) : -1
        }
    }
}
