// Command-line values of the form NAME=VALUE: `--input-shape images=1,3,224,224` for parse
// and `--input images=cat.npy` (or just `cat.npy` for a one-input model) for infer.

import ArgumentParser

/// `NAME=D1,D2,...`: a static shape for a model input. The name is everything before the
/// last `=`, so names may themselves contain `=`.
struct NamedShape: ExpressibleByArgument {
    var name: String
    var shape: [Int]

    init?(argument: String) {
        guard let separator = argument.lastIndex(of: "=") else { return nil }
        name = String(argument[..<separator])
        let dims = argument[argument.index(after: separator)...].split(separator: ",", omittingEmptySubsequences: false)
        let parsed = dims.map { Int($0.trimmingCharacters(in: .whitespaces)) }
        guard !name.isEmpty, !parsed.isEmpty, parsed.allSatisfy({ ($0 ?? 0) > 0 }) else { return nil }
        shape = parsed.compactMap { $0 }
    }

    static var defaultCompletionKind: CompletionKind { .default }
}

/// `NAME=FILE` or `FILE`: a value for one model input. Whether `NAME=` is a prefix is decided
/// against the model's input names (see `InputAssignment.resolve`), since file names may
/// contain `=` too.
struct InputArgument: ExpressibleByArgument {
    var text: String

    init?(argument: String) {
        guard !argument.isEmpty else { return nil }
        text = argument
    }
}
