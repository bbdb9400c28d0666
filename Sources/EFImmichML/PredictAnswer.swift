// The JSON answer of `POST /predict`, shaped as Immich's server stores it unparsed: embeddings
// as strings holding a JSON array (also valid pgvector literals, so never NaN or infinite), face
// boxes as whole pixels, OCR lines as parallel arrays with corners normalized to 0…1, and the
// image's size beside the results of an image request.

import EFCore
import Foundation

/// A face in an answer: its box (rounded to whole pixels of the sent image), score and raw embedding.
public struct AnsweredFace: Sendable {
    public var box: [Float]
    public var score: Float
    public var embedding: [Float]

    public init(box: [Float], score: Float, embedding: [Float]) {
        self.box = box
        self.score = score
        self.embedding = embedding
    }
}

/// An OCR line in an answer: text, its quadrilateral (TL, TR, BR, BL as x, y pairs in pixels) and scores.
public struct AnsweredText: Sendable {
    public var text: String
    public var corners: [Float]
    public var boxScore: Float
    public var textScore: Float

    public init(text: String, corners: [Float], boxScore: Float, textScore: Float) {
        self.text = text
        self.corners = corners
        self.boxScore = boxScore
        self.textScore = textScore
    }
}

/// The answer being assembled for one request.
public struct PredictAnswer: Sendable {
    private var fields: [String: AnswerValue] = [:]

    public init() {}

    /// `imageWidth` / `imageHeight` (an image request).
    public mutating func setImageSize(width: Int, height: Int) {
        fields["imageWidth"] = .integer(width)
        fields["imageHeight"] = .integer(height)
    }

    /// `"clip": "[…]"`.
    /// - Throws: `PredictError` 500 for a non-finite value.
    public mutating func setCLIP(_ embedding: [Float]) throws {
        fields["clip"] = .string(try Self.vectorLiteral(embedding))
    }

    /// `"facial-recognition": [{boundingBox, embedding, score}]`.
    public mutating func setFaces(_ faces: [AnsweredFace]) throws {
        fields["facial-recognition"] = .array(try faces.map { face in
            let box = face.box.map { Double($0.rounded()) }
            guard box.count == 4, box.allSatisfy(\.isFinite), face.score.isFinite else {
                throw PredictError(status: 500, detail: "a face box or score is not finite")
            }
            return .object(["boundingBox": .object(["x1": .number(box[0]), "y1": .number(box[1]),
                                                    "x2": .number(box[2]), "y2": .number(box[3])]),
                            "embedding": .string(try Self.vectorLiteral(face.embedding)),
                            "score": .decimal(face.score)])
        })
    }

    /// `"ocr": {text, box, boxScore, textScore}` with corners divided by the image's size.
    public mutating func setText(_ lines: [AnsweredText], imageWidth: Int, imageHeight: Int) throws {
        var box: [AnswerValue] = []
        for line in lines {
            guard line.corners.count == 8, imageWidth > 0, imageHeight > 0 else {
                throw PredictError(status: 500, detail: "an OCR line has \(line.corners.count) corner values, not 8")
            }
            for (index, value) in line.corners.enumerated() {
                box.append(.number(Double(value) / Double(index % 2 == 0 ? imageWidth : imageHeight)))
            }
        }
        fields["ocr"] = .object(["text": .array(lines.map { .string($0.text) }), "box": .array(box),
                                 "boxScore": .array(lines.map { .decimal($0.boxScore) }),
                                 "textScore": .array(lines.map { .decimal($0.textScore) })])
    }

    /// The answer as JSON bytes.
    /// - Throws: `PredictError` 500 when a number is not finite (JSON has no NaN).
    public func json() throws -> Data {
        var out = ""
        try AnswerValue.object(fields).write(to: &out)
        return Data(out.utf8)
    }

    /// `[v0,v1,…]` with each value's shortest round-trip form (a JSON array and a pgvector literal).
    static func vectorLiteral(_ values: [Float]) throws -> String {
        guard values.allSatisfy(\.isFinite) else {
            throw PredictError(status: 500, detail: "an embedding holds a value that is not finite")
        }
        return "[" + values.map { "\($0)" }.joined(separator: ",") + "]"
    }
}

/// A JSON value written with sorted keys and finite numbers only.
private indirect enum AnswerValue: Sendable {
    case string(String), number(Double), integer(Int), array([AnswerValue]), object([String: AnswerValue])

    /// A float32 written with its own shortest form (0.93, not 0.9300000071525574).
    static func decimal(_ value: Float) -> AnswerValue { .number(Double("\(value)") ?? Double(value)) }

    func write(to out: inout String) throws {
        switch self {
        case .string(let text):
            let data = try JSONSerialization.data(withJSONObject: [text], options: [.fragmentsAllowed])
            out += String(decoding: data.dropFirst().dropLast(), as: UTF8.self)
        case .number(let value):
            guard value.isFinite else {
                throw PredictError(status: 500, detail: "a number in the answer is not finite")
            }
            out += value == value.rounded() && abs(value) < 1e15 ? "\(Int(value)).0" : "\(value)"
        case .integer(let value):
            out += String(value)
        case .array(let values):
            out += "["
            for (index, value) in values.enumerated() {
                if index > 0 { out += "," }
                try value.write(to: &out)
            }
            out += "]"
        case .object(let fields):
            out += "{"
            for (index, key) in fields.keys.sorted().enumerated() {
                if index > 0 { out += "," }
                try AnswerValue.string(key).write(to: &out)
                out += ":"
                try fields[key]!.write(to: &out)
            }
            out += "}"
        }
    }
}
