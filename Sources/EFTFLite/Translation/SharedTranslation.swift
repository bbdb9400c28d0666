// What the translation of a TFLite model's main graph shares with the translations of the
// subgraphs its control flow runs: the names taken so far, each subgraph's constants (decoded
// once, however many times a loop translates the subgraph) and the budget of subgraph operators.

import EFCore

/// Shared by a TranslationContext and the contexts of its subgraphs.
final class SharedTranslation {
    /// The most subgraph operators one import translates: WHILE bodies repeat theirs, and nested
    /// loops multiply, so a small file could otherwise keep the importer busy for hours.
    static let operatorBudget = 1 << 16

    /// Names made or reserved so far (besides those the importer holds).
    var usedNames = UniqueNames()
    /// Each subgraph's constant tensors by tensor index, once decoded.
    var constants: [Int: [Int: Tensor]] = [:]
    private(set) var remainingOperators = SharedTranslation.operatorBudget

    /// Takes `count` operators from the budget.
    /// - Throws: `.unsupported` naming `what` when the budget is spent.
    func takeOperators(_ count: Int, for what: String) throws {
        guard count <= remainingOperators else {
            throw EdgeflowError(.unsupported, "\(what): control flow would translate more than "
                + "\(SharedTranslation.operatorBudget) subgraph operators (loops are unrolled)")
        }
        remainingOperators -= count
    }
}
