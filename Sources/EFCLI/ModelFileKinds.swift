// Which kind of model file a verb was given, recognized by its bytes (never its extension),
// and what to do when it is the wrong kind: an archive must be compiled before `run`, an
// executable is run rather than inferred, an ONNX or TFLite model is parsed first, a Hailo HEF
// runs on a Hailo device.

import EFCore
import Foundation

enum ModelFileKinds {
    /// Checks that `url` is a file of kind `expected` for `verb`.
    /// - Throws: `EdgeflowError.invalidArgument` saying what the file is and the command that
    ///   makes the right kind from it; `.io` when it cannot be read.
    static func require(_ url: URL, is expected: FileKind, for verb: String) throws {
        let kind = try FileKind.detect(url: url)
        // Unrecognized bytes (a damaged file, say) go to the reader, which says what is wrong.
        guard kind != expected, kind != .unknown else { return }
        let shown = CommandSupport.display(url)
        let stem = url.deletingPathExtension().lastPathComponent
        let wanted = expected.userName
        switch kind {
        case .efa where expected == .efx:
            throw EdgeflowError(.invalidArgument, "\(shown) is an Edgeflow archive (.efa), not an executable; "
                + "compile it first: edgeflow compile \(shown) -o \(stem).efx",
                hint: "then: edgeflow \(verb) \(stem).efx …")
        case .efx where expected == .efa:
            throw EdgeflowError(.invalidArgument, "\(shown) is an Edgeflow executable (.efx), already compiled; "
                + "run it with: edgeflow run \(shown) --input NAME=FILE.npy --output-dir DIR",
                hint: "`edgeflow \(verb)` takes the archive (.efa) it was compiled from")
        case .onnx, .tflite:
            let article = kind == .onnx ? "an" : "a"
            throw EdgeflowError(.invalidArgument, "\(shown) is \(article) \(kind.userName); parse it first: "
                + "edgeflow parse \(shown) -o \(stem).efa"
                + (expected == .efx ? ", then edgeflow compile \(stem).efa -o \(stem).efx" : ""),
                hint: "`edgeflow \(verb)` takes an \(wanted)")
        case .hef:
            if verb == "run" { throw EdgeflowError(.unsupported, HEFInspection.runRefusal(url: url)) }
            throw EdgeflowError(.invalidArgument, "\(shown) is a Hailo executable (HEF); it runs on a Hailo device "
                + "with HailoRT", hint: "`edgeflow inspect \(shown)` shows its streams and quantization")
        default:
            throw EdgeflowError(.invalidArgument, "\(shown) is a \(kind.userName), not an \(wanted)",
                                hint: "`edgeflow \(verb)` takes an \(wanted)")
        }
    }
}
