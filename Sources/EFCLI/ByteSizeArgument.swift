// A byte count on the command line (`--max-memory 512M`): plain bytes or a binary suffix
// K, M, G, T or P (optionally followed by B or iB; 1K = 1024 bytes). Parsing never traps:
// a number too large for Int is simply not a valid value.

import ArgumentParser
import EFCore
import Foundation

/// A byte count parsed from `4096`, `512M`, `8G`, `1.5G` or `2TiB` (binary units, case-insensitive).
struct ByteSizeArgument: ExpressibleByArgument, Equatable {
    /// The number of bytes (rounded down for fractional values such as 1.5K).
    let bytes: Int

    init(bytes: Int) { self.bytes = bytes }

    /// nil for text that is not a non-negative number with an optional unit, or that does not fit in Int.
    init?(argument: String) {
        var text = argument.trimmingCharacters(in: .whitespaces).uppercased()
        for unitSuffix in ["IB", "B"] where text.hasSuffix(unitSuffix) {
            text.removeLast(unitSuffix.count)
            break
        }
        let units: [Character: Int] = ["K": 10, "M": 20, "G": 30, "T": 40, "P": 50]
        var shift = 0
        if let last = text.last, let unit = units[last] {
            shift = unit
            text.removeLast()
        }
        guard !text.isEmpty, text.allSatisfy({ $0.isASCII && ($0.isNumber || $0 == ".") }),
              let value = Double(text), value.isFinite, value >= 0 else { return nil }
        let scaled = value * Double(1 << shift)
        guard let bytes = try? CheckedSize.int(truncating: scaled, "size") else { return nil }
        self.bytes = bytes
    }

    /// `512 MiB` etc.
    var description: String { MemoryBudget.format(bytes) }
}
