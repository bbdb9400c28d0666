// `edgeflow regions`: counts and locates text regions in a text-detection probability map,
// the output of a DB-style detector such as PP-OCR's.

import ArgumentParser
import EFCore
import EFVision
import Foundation

struct RegionsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "regions",
        abstract: "Find text regions in a text-detection probability map (.npy).",
        discussion: """
            Reads a float32 probability map [N, 1, H, W] or [H, W] as written by `edgeflow infer` \
            for a DB-style text detector (PP-OCR det), keeps the pixels above --threshold, joins \
            touching pixels into regions, and drops regions whose mean probability is below \
            --min-score or whose shorter side is under 3 pixels. Boxes are in map pixels, which \
            are the detector's input pixels. A simplified form of PP-OCR's post-processing: \
            axis-aligned boxes, no unclipping.

            Example:
              edgeflow regions out/sigmoid_0.tmp_0.npy --threshold 0.3
            """)

    @Argument(help: "The probability map (.npy, float32).")
    var map: String

    @Option(help: "Pixel probability above which a pixel belongs to text (finite, 0…1).")
    var threshold: Float = 0.3

    @Option(help: "Minimum mean probability of a region (finite, 0…1).")
    var minScore: Float = 0.5

    func validate() throws {
        for (option, value) in [("--threshold", threshold), ("--min-score", minScore)]
        where !(value.isFinite && (0...1).contains(value)) {
            throw ValidationError("\(option) must be a probability in 0…1, got \(value)")
        }
    }

    @Flag(help: "Print the regions as JSON.")
    var json = false

    private struct RegionJSON: Encodable {
        var x: Int, y: Int, width: Int, height: Int, score: Float
    }

    func run() throws {
        try CommandSupport.run {
            let url = CommandSupport.url(map)
            let tensor = try NPY.read(contentsOf: url)
            let regions = try TextRegions.find(in: tensor, threshold: threshold, minScore: minScore)
                .map { RegionJSON(x: $0.minX, y: $0.minY, width: $0.width, height: $0.height, score: $0.score) }
            if json {
                try CommandSupport.printJSON(["regions": regions])
                return
            }
            let size = tensor.shape.suffix(2).map(String.init).joined(separator: "×")
            print("\(regions.count) text region\(regions.count == 1 ? "" : "s") in \(CommandSupport.display(url)) "
                  + "(\(size) map, threshold \(threshold)):")
            for (index, region) in regions.enumerated() {
                print(String(format: "  %2d  x %4d  y %4d  %4d × %-4d  score %.3f",
                             index + 1, region.x, region.y, region.width, region.height, region.score))
            }
        }
    }
}
