// A memory budget checked before allocating: the bytes a decoder, a recipe, an inference or a
// loader may hold at once. Readers ask the budget before they allocate what a header or a
// declared shape asks for, so a small file can never make Edgeflow allocate gigabytes.
// docs/security.md lists every budget with its default and the option that changes it.

import Foundation

/// A limit on the bytes one piece of work may allocate, with the name of the option that sets it.
public struct MemoryBudget: Sendable, Equatable, CustomStringConvertible {
    /// The most bytes the work may hold at once.
    public let limitBytes: Int
    /// What is limited, e.g. "image memory".
    public let name: String
    /// How a user raises the limit, e.g. "raise it with --max-pixels".
    public let howToChange: String

    public init(limitBytes: Int, name: String, howToChange: String) {
        self.limitBytes = Swift.max(0, limitBytes)
        self.name = name
        self.howToChange = howToChange
    }

    /// Checks that `bytes` fit the budget.
    /// - Throws: `EdgeflowError` of `kind` (default `.invalidInput`) naming `purpose`, the
    ///   bytes asked for, the limit and how to change it.
    public func check(_ bytes: Int, for purpose: @autoclosure () -> String,
                      kind: EdgeflowError.Kind = .invalidInput) throws {
        guard bytes >= 0, bytes <= limitBytes else {
            throw EdgeflowError(kind,
                "\(purpose()) needs \(MemoryBudget.format(bytes)), "
                    + "over the \(name) budget of \(MemoryBudget.format(limitBytes))",
                hint: howToChange)
        }
    }

    /// Checks `count` elements of `elementBytes` bytes each, without overflowing.
    /// - Throws: as `check`, also when the product overflows.
    public func check(count: Int, elementBytes: Int, for purpose: @autoclosure () -> String,
                      kind: EdgeflowError.Kind = .invalidInput) throws {
        let (bytes, overflow) = count.multipliedReportingOverflow(by: elementBytes)
        try check(overflow || count < 0 ? Int.max : bytes, for: purpose(), kind: kind)
    }

    public var description: String { "\(name) budget \(MemoryBudget.format(limitBytes))" }

    /// Bytes as "512 MiB", "3.2 GiB" or "1234 bytes".
    public static func format(_ bytes: Int) -> String {
        if bytes == Int.max { return "more than 8 EiB" }
        let units: [(Int, String)] = [(1 << 40, "TiB"), (1 << 30, "GiB"), (1 << 20, "MiB"), (1 << 10, "KiB")]
        for (size, unit) in units where bytes >= size {
            let value = Double(bytes) / Double(size)
            return value >= 100 || value == value.rounded()
                ? "\(Int(value.rounded())) \(unit)" : "\((value * 10).rounded() / 10) \(unit)"
        }
        return "\(bytes) bytes"
    }
}

extension MemoryBudget {
    /// The accepted range of a run budget: 1 MiB to 1 PiB.
    public static let runRange = (1 << 20)...(1 << 50)

    /// Half the machine's physical memory (within `runRange`): the default run budget.
    public static var defaultRunLimit: Int {
        let bytes = Int(exactly: ProcessInfo.processInfo.physicalMemory / 2) ?? runRange.upperBound
        return Swift.min(Swift.max(bytes, runRange.lowerBound), runRange.upperBound)
    }

    /// The budget of one model run: `limit` bytes, or half the physical memory.
    public static func run(_ limit: Int? = nil) -> MemoryBudget {
        MemoryBudget(limitBytes: limit ?? defaultRunLimit, name: "memory",
                     howToChange: "raise it with --max-memory SIZE (e.g. --max-memory 16G; the default is half the "
                        + "physical memory, \(format(defaultRunLimit)))")
    }
}
