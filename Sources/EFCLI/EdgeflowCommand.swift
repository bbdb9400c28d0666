// The `edgeflow` command: the root of the verbs. Exit codes are listed in ExitCodes.swift.

import ArgumentParser
import EFCore
import EFArchive
import EFKernels
import Foundation

/// The root command.
public struct EdgeflowCommand: ParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "edgeflow",
        abstract: "Edgeflow: compile and run neural networks on the CPU.",
        discussion: """
            Typical use:
              edgeflow parse model.onnx -o model.efa      translate an ONNX model
              edgeflow inspect model.efa                  see its inputs, outputs and ops
              edgeflow optimize model.efa --calib-set photos/ --recipe clip -o model.q.efa   quantize it (int8)
              edgeflow analyze-noise model.q.efa --float model.efa --data holdout/ --recipe clip -o noise.html
              edgeflow compile model.efa -o model.efx     compile it into an executable
              edgeflow run model.efx --input x=x.npy --output-dir out
              edgeflow benchmark model.efx --threads 1    time it
              edgeflow profile model.efx -o report.html   time every layer
              edgeflow infer model.efa --input x=x.npy --output-dir out   optimize, compile and run in one go
              edgeflow preprocess photo.jpg --recipe clip -o x.npy   the input a model will see
              edgeflow tokenize "a photo of a cat"        CLIP token ids
              edgeflow models pull ViT-B-32__openai       download a CLIP model (Immich's, Hugging Face)
              edgeflow photos index ~/Pictures --model ViT-B-32__openai   index a photo library
              edgeflow photos search "a dog on a beach"   search it

            Exit codes: 0 success, 64 usage error, 65 invalid model, archive or input data, \
            69 unsupported feature, 70 internal error, 74 I/O error.
            """,
        version: EdgeflowVersion.current,
        subcommands: [ParseCommand.self, InspectCommand.self, OptimizeCommand.self, AnalyzeNoiseCommand.self,
                      CompileCommand.self, VerifyCommand.self,
                      RunCommand.self, InferCommand.self, BenchmarkCommand.self, ProfileCommand.self,
                      RegionsCommand.self, PreprocessCommand.self, TokenizeCommand.self, PhotosCommand.self,
                      ModelsCommand.self, ServeMLCommand.self])

    public init() {}

    /// The verbs that run a model on libgomp's pool, and so restart once with Edgeflow's wait policy.
    static let modelVerbs: Set<String> = ["run", "infer", "benchmark", "profile", "photos", "verify"]

    /// Parses the command line and runs the verb. Usage errors print as `error: ...` followed
    /// by ArgumentParser's usage text, exit 64; other errors are reported by the verbs
    /// themselves (CommandSupport.run) and exit with their code.
    public static func main(_ arguments: [String]? = nil) {
        let commandLine = Array(CommandLine.arguments.dropFirst())
        if arguments == nil, let verb = commandLine.first, modelVerbs.contains(verb),
           ThreadWaitPolicy.usesSeveralThreads(commandLine) {
            ThreadWaitPolicy.restartWithSpinCountIfDefault()  // before libgomp's threads: see ThreadWaitPolicy
        }
        Parallel.limitToMachine()  // before any oneDNN primitive: OMP_NUM_THREADS may ask for millions
        do {
            var command = try parseAsRoot(arguments)
            try command.run()
        } catch {
            let code = exitCode(for: error)
            guard code == .validationFailure else { exit(withError: error) }
            let text = fullMessage(for: error)
            let message = text.hasPrefix("Error: ") ? "error: " + text.dropFirst("Error: ".count) : text
            FileHandle.standardError.write(Data((message + "\n").utf8))
            Foundation.exit(code.rawValue)
        }
    }
}
