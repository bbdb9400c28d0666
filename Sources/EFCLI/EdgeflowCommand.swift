// The `edgeflow` command: the root of the verbs (parse, inspect, infer).

import ArgumentParser

/// The root command.
public struct EdgeflowCommand: ParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "edgeflow",
        abstract: "Edgeflow: compile and run neural networks on the CPU.",
        subcommands: [])

    public init() {}
}
