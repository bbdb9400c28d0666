// An error answered to the browser as JSON with an HTTP status, and the mapping from Edgeflow's
// own errors to statuses.

import EFCore
import Hummingbird

/// A refused request: its HTTP status and a message for the page.
struct APIError: Error {
    var status: HTTPResponse.Status
    var message: String
    var hint: String?

    init(_ status: HTTPResponse.Status, _ message: String, hint: String? = nil) {
        self.status = status
        self.message = message
        self.hint = hint
    }

    /// An Edgeflow error as the client sees it: bad queries are 400, unreadable photos 422,
    /// everything else a 500 (the message still says what failed).
    init(_ error: EdgeflowError) {
        switch error.kind {
        case .invalidArgument: self.init(.badRequest, error.message, hint: error.hint)
        case .invalidInput: self.init(.unprocessableContent, error.message, hint: error.hint)
        default: self.init(.internalServerError, error.message, hint: error.hint)
        }
    }
}
