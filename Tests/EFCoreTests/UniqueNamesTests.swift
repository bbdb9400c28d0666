// UniqueNames hands out the names a walk over every suffix from the first would, while
// remembering where each hint's walk stopped.

import EFCore
import XCTest

final class UniqueNamesTests: XCTestCase {
    /// The plain definition: `hint`, else the first free `hint_N` from `first` on.
    private func walked(_ hint: String, _ taken: inout Set<String>, first: Int) -> String {
        var candidate = hint, counter = first
        while taken.contains(candidate) {
            candidate = "\(hint)_\(counter)"
            counter += 1
        }
        taken.insert(candidate)
        return candidate
    }

    func testMatchesTheWalkOverEverySuffix() {
        for first in [1, 2] {
            var names = UniqueNames(firstSuffix: first)
            var reference = Set<String>()
            for name in ["a", "a_3", "b_1"] {   // taken before any fresh name, as a graph's own
                names.insert(name)
                reference.insert(name)
            }
            var made: [String] = [], expected: [String] = []
            for step in 0..<40 {
                let hint = ["a", "b", "a_1", "c"][step % 4]
                if step == 17 {   // a name taken between two fresh ones, past where "a" stopped
                    names.insert("a_12")
                    reference.insert("a_12")
                }
                made.append(names.fresh(hint))
                expected.append(walked(hint, &reference, first: first))
            }
            XCTAssertEqual(made, expected, "first suffix \(first)")
            XCTAssertEqual(Set(made).count, made.count)
        }
    }

    func testNamesTakenElsewhereAreSkipped() {
        var names = UniqueNames()
        let elsewhere: Set<String> = ["x", "x_1", "x_4"]
        let made = (0..<4).map { _ in names.fresh("x", alsoTaken: elsewhere.contains) }
        XCTAssertEqual(made, ["x_2", "x_3", "x_5", "x_6"])
    }

    /// 20,000 names from one hint: each is new and numbered in order (the walk from 1 made this
    /// quadratic; a fuzzed TFLite file with many like operators needed over 10 s to import).
    func testManyNamesFromOneHint() {
        var names = UniqueNames()
        let made = (0..<20_000).map { _ in names.fresh("Conv") }
        XCTAssertEqual(made.first, "Conv")
        XCTAssertEqual(made.last, "Conv_19999")
        XCTAssertEqual(Set(made).count, 20_000)
    }
}
