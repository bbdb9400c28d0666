// Multipart bodies laid out byte for byte as Node's FormData (undici) writes the requests of
// Immich's server to its machine-learning service: each part `--B\r\n`, its headers, a blank
// line, the bytes, `\r\n`; then `--B--\r\n`. The image part is a bare Blob named `blob`.

import Foundation

public enum NodeFormData {
    /// The boundary undici would draw (its shape; the digits are fixed for tests).
    public static let boundary = "----formdata-undici-0123456789ab"

    /// A `/predict` body: `entries`, then an `image` and/or a `text` part.
    public static func body(entries: String, image: Data? = nil, text: String? = nil) -> Data {
        var body = Data()
        func add(_ string: String) { body.append(Data(string.utf8)) }
        add("--\(boundary)\r\nContent-Disposition: form-data; name=\"entries\"\r\n\r\n\(entries)\r\n")
        if let image {
            add("--\(boundary)\r\nContent-Disposition: form-data; name=\"image\"; filename=\"blob\"\r\n"
                + "Content-Type: application/octet-stream\r\n\r\n")
            body.append(image)
            add("\r\n")
        }
        if let text { add("--\(boundary)\r\nContent-Disposition: form-data; name=\"text\"\r\n\r\n\(text)\r\n") }
        add("--\(boundary)--\r\n")
        return body
    }
}
