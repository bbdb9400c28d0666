// The `edgeflow` command: the root of the verbs. Exit codes are listed in ExitCodes.swift.

import ArgumentParser
import EFArchive

/// The root command.
public struct EdgeflowCommand: ParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "edgeflow",
        abstract: "Edgeflow: compile and run neural networks on the CPU.",
        discussion: """
            Typical use:
              edgeflow parse model.onnx -o model.efa      translate an ONNX model
              edgeflow inspect model.efa                  see its inputs, outputs and ops
              edgeflow infer model.efa --input x=x.npy --output-dir out

            Exit codes: 0 success, 64 usage error, 65 invalid model, archive or input data, \
            69 unsupported feature, 70 internal error, 74 I/O error.
            """,
        version: EdgeflowVersion.current,
        subcommands: [ParseCommand.self, InspectCommand.self, InferCommand.self, RegionsCommand.self])

    public init() {}
}
