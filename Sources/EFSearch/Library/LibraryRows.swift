// Reading values out of the library's rows without trusting the file: GRDB's subscripts stop
// the process on a missing column or a value of another type, so every read goes through
// `value(_:)`, which reports a damaged library instead.

import EFCore
import GRDB

extension Row {
    /// The value of `column` as `T` (an optional `T` for a column that may be NULL).
    /// - Throws: `EdgeflowError.invalidArchive` when the column is missing or holds another type.
    func value<T: DatabaseValueConvertible>(_ column: String) throws -> T {
        do {
            return try decode(T.self, forColumn: column)
        } catch {
            throw EdgeflowError(.invalidArchive, "the photo library is damaged: column \(column) holds "
                                    + "\(self[column] as DatabaseValue? ?? .null) where \(T.self) belongs",
                                hint: "index into a new --library file")
        }
    }
}
