// edgeflow-run-example: the smallest program that deploys an Edgeflow executable. It links only
// the runtime library (EdgeflowRuntime, plus EFCore for tensors and .npy files): load an .efx,
// read each input from a .npy file, run, write each output as a .npy file.
//
//   edgeflow-run-example MODEL.efx NAME=IN.npy... OUTDIR
//
// Outputs go to OUTDIR/<output name>.npy, with characters outside [A-Za-z0-9._-] replaced by _.

import EFCore
import EdgeflowRuntime
import Foundation

/// Prints `message` to stderr and exits with `code`.
func fail(_ message: String, code: Int32 = 1) -> Never {
    FileHandle.standardError.write(Data("edgeflow-run-example: \(message)\n".utf8))
    exit(code)
}

/// `NAME=FILE` split at the `=` whose prefix is an input of the model (names may contain `=`).
func assignment(_ argument: String, inputs: Set<String>) -> (name: String, file: String)? {
    for separator in argument.indices.reversed() where argument[separator] == "=" {
        let name = String(argument[..<separator])
        if inputs.contains(name) { return (name, String(argument[argument.index(after: separator)...])) }
    }
    return nil
}

/// The file name of an output: unsafe characters become `_`.
func fileName(for output: String) -> String {
    let safe = String(output.unicodeScalars.map { scalar -> Character in
        switch scalar.value {
        case 0x30...0x39, 0x41...0x5A, 0x61...0x7A, 0x2D, 0x2E, 0x5F: return Character(scalar)  // 0-9 A-Z a-z - . _
        default: return "_"
        }
    })
    return (safe.isEmpty || safe == "." || safe == ".." ? "_" + safe : safe) + ".npy"
}

let arguments = CommandLine.arguments
guard arguments.count >= 3 else {
    fail("usage: edgeflow-run-example MODEL.efx NAME=IN.npy... OUTDIR", code: 64)
}
do {
    // Loading maps the file, checks its checksums and CPU features, and builds the kernels.
    let model = try EdgeflowModel(contentsOf: URL(fileURLWithPath: arguments[1]))
    let names = Set(model.inputs.map(\.name))
    var inputs: [String: Tensor] = [:]
    for argument in arguments[2..<(arguments.count - 1)] {
        guard let pair = assignment(argument, inputs: names) else {
            fail("'\(argument)' is not NAME=FILE.npy for an input of the model; its inputs: "
                + model.inputs.map { "\($0.name) \($0.dtype.rawValue)\($0.shape)" }.joined(separator: ", "), code: 64)
        }
        let (name, file) = pair
        var tensor = try NPY.read(contentsOf: URL(fileURLWithPath: file))
        // numpy has no bfloat16: such an input comes as its uint16 bit patterns.
        if tensor.dtype == .uint16, model.inputs.first(where: { $0.name == name })?.dtype == .bfloat16 {
            tensor = Tensor(dtype: .bfloat16, shape: tensor.shape, storage: tensor.storage)
        }
        inputs[name] = tensor
    }
    // run checks every input's dtype and shape against the model and names what is wrong.
    let outputs = try model.run(inputs)
    let directory = URL(fileURLWithPath: arguments[arguments.count - 1], isDirectory: true)
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    var used = Set<String>()
    for descriptor in model.outputs {
        guard let tensor = outputs[descriptor.name] else { continue }
        var file = fileName(for: descriptor.name)
        var counter = 2
        while used.contains(file) {  // two names that sanitize alike
            file = "\(fileName(for: descriptor.name).dropLast(4))_\(counter).npy"
            counter += 1
        }
        used.insert(file)
        try NPY.encode(tensor).write(to: directory.appendingPathComponent(file), options: .atomic)
        print("\(descriptor.name): \(tensor.dtype.rawValue)\(tensor.shape) -> \(directory.path)/\(file)")
    }
} catch let error as EdgeflowError {
    fail(error.hint.map { "\(error.message)\n  hint: \($0)" } ?? error.message)
} catch {
    fail("\(error)")
}
