// The post-processors of tokenizer.json ("post_processor") for one text: the ids they put
// before and after the text's ids. RobertaProcessing and BertProcessing add cls … sep;
// TemplateProcessing follows its "single" template; ByteLevel changes only offsets; Sequence
// applies its processors in order (each wraps what the previous made).

import EFCore

/// The special ids around a single text's ids.
struct PostProcessor: Sendable {
    var prefix: [Int32] = []
    var suffix: [Int32] = []

    /// Adds nothing.
    init() {}

    /// Reads a post-processor object.
    /// - Throws: `.invalidModel` naming the field for a bad value (a template with a second
    ///   sequence or an undefined special token); `.unsupported` naming an unknown type.
    init(_ field: JSONField) throws {
        let type = try field.typeName()
        switch type {
        case "RobertaProcessing", "BertProcessing":
            prefix = [try Self.specialID(field.required("cls"))]
            suffix = [try Self.specialID(field.required("sep"))]
        case "TemplateProcessing":
            let specials = try field.required("special_tokens")
            var beforeSequence = true
            for piece in try field.required("single").elements(limit: 64) {
                if let sequence = try piece.optional("Sequence") {
                    let idField = try sequence.required("id")
                    guard try idField.string(maxBytes: 8) == "A", beforeSequence else {
                        throw idField.error("is not the one sequence A of a single-text template")
                    }
                    beforeSequence = false
                } else if let special = try piece.optional("SpecialToken") {
                    let name = try special.required("id").string()
                    guard let definition = try specials.optional(name) else {
                        throw special.error("names the special token \"\(name)\", which special_tokens does not define")
                    }
                    let ids = try definition.required("ids").elements(limit: 64).map {
                        Int32(try $0.int(in: 0...(TokenizerLimits.maxVocabulary - 1)))
                    }
                    if beforeSequence { prefix += ids } else { suffix += ids }
                } else {
                    throw piece.error("is neither {\"Sequence\": …} nor {\"SpecialToken\": …}")
                }
            }
            guard !beforeSequence else { throw field.error("has a single template without the sequence A") }
        case "ByteLevel":
            break
        case "Sequence":
            for step in try field.required("processors").elements(limit: TextNormalizer.maxSequence) {
                let inner = try PostProcessor(step)
                prefix = inner.prefix + prefix
                suffix += inner.suffix
            }
        default:
            throw EdgeflowError(.unsupported, "\(field.source): \(field.path).type is the post-processor \"\(type)\", "
                                    + "which Edgeflow does not implement",
                                hint: "supported: RobertaProcessing, BertProcessing, TemplateProcessing, ByteLevel, "
                                    + "Sequence")
        }
    }

    /// The id of a ["token", id] pair.
    private static func specialID(_ field: JSONField) throws -> Int32 {
        let pair = try field.elements(limit: 2)
        guard pair.count == 2 else { throw field.error("is not [token, id]") }
        _ = try pair[0].string()
        return Int32(try pair[1].int(in: 0...(TokenizerLimits.maxVocabulary - 1)))
    }
}
