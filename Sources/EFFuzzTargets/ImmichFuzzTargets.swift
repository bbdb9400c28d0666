// Fuzz target of the Immich machine-learning contract's readers: the input is a whole
// `/predict` body, read as multipart/form-data with a fixed boundary, then decoded into tasks.

import EFCore
import EFImmichML
import Foundation

enum ImmichFuzzTargets {
    static let all: [FuzzTarget] = [predictForm]

    /// The boundary the seeds use (Node's FormData style).
    static let boundary = "----formdata-undici-0123456789ab"

    static let predictForm = FuzzTarget(name: "immich-predict",
        summary: "a /predict body → MultipartForm.parts (boundary \(boundary)) → PredictRequest") { data in
        let parts = try MultipartForm.parts(of: data, boundary: boundary)
        do {
            _ = try PredictRequest(parts: parts)
        } catch is PredictError {
            return  // a refused request is the expected outcome for most inputs
        }
    }
}
