// One libpq connection, used synchronously like the SQLite library: parameterized statements
// only (user data never becomes SQL text), text results or binary ones for bulk bytea reads,
// and transactions. Calls are serialized by a lock, so the connection can be shared by threads.

import CLibPQ
import EFCore
import Foundation

/// A statement parameter: text (numbers as their decimal text), raw bytes (bytea) or NULL.
enum PostgresValue {
    case text(String)
    case bytes([UInt8])
    case null

    static func int(_ value: Int64?) -> PostgresValue { value.map { .text(String($0)) } ?? .null }
    static func int(_ value: Int?) -> PostgresValue { value.map { .text(String($0)) } ?? .null }
    static func string(_ value: String?) -> PostgresValue { value.map { .text($0) } ?? .null }

    /// A PostgreSQL array literal of `items` (quoted, backslashes and quotes escaped), for `$n::text[]`.
    static func array(_ items: [String]) -> PostgresValue {
        .text("{" + items.map { item in
            "\"" + item.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
                + "\""
        }.joined(separator: ",") + "}")
    }

    static func array(_ items: [Int64]) -> PostgresValue {
        .text("{" + items.map(String.init).joined(separator: ",") + "}")
    }
}

/// The rows of one statement's result.
final class PostgresRows {
    private let result: OpaquePointer
    let count: Int
    private let binary: Bool

    fileprivate init(_ result: OpaquePointer, binary: Bool) {
        self.result = result
        self.binary = binary
        count = Int(PQntuples(result))
    }

    deinit { PQclear(result) }

    private func column(_ name: String) throws -> Int32 {
        let index = PQfnumber(result, name)
        guard index >= 0 else { throw EdgeflowError(.invalidArchive, "the photo library has no column \(name)") }
        return index
    }

    /// The column as text, nil for NULL.
    func string(_ row: Int, _ name: String) throws -> String? {
        let index = try column(name)
        if PQgetisnull(result, Int32(row), index) != 0 { return nil }
        return String(cString: PQgetvalue(result, Int32(row), index))
    }

    /// The column as an integer, nil for NULL.
    /// - Throws: `EdgeflowError.invalidArchive` for a value that is not one.
    func int(_ row: Int, _ name: String) throws -> Int64? {
        guard let text = try string(row, name) else { return nil }
        guard let value = Int64(text) else {
            throw EdgeflowError(.invalidArchive, "the photo library is damaged: column \(name) holds \(text)")
        }
        return value
    }

    /// A NOT NULL integer column.
    func required(_ row: Int, _ name: String) throws -> Int64 {
        guard let value = try int(row, name) else {
            throw EdgeflowError(.invalidArchive, "the photo library is damaged: column \(name) is NULL")
        }
        return value
    }

    /// A bytea column of a binary result, nil for NULL.
    func bytes(_ row: Int, _ name: String) throws -> UnsafeRawBufferPointer? {
        precondition(binary, "bytes(_:_:) reads binary results")
        let index = try column(name)
        if PQgetisnull(result, Int32(row), index) != 0 { return nil }
        return UnsafeRawBufferPointer(start: PQgetvalue(result, Int32(row), index),
                                      count: Int(PQgetlength(result, Int32(row), index)))
    }

    /// A bigint column of a binary result (network byte order).
    func binaryInt(_ row: Int, _ name: String) throws -> Int64 {
        guard let raw = try bytes(row, name), raw.count == 8 else {
            throw EdgeflowError(.invalidArchive, "the photo library is damaged: column \(name) is not a bigint")
        }
        return Int64(bigEndian: raw.loadUnaligned(as: Int64.self))
    }
}

/// A connection to one PostgreSQL database.
final class PostgresConnection: @unchecked Sendable {
    private let connection: OpaquePointer
    private let lock = NSRecursiveLock()
    /// Inside `transaction`: a lost connection then fails the whole transaction (never retried).
    private var inTransaction = false
    /// Connections re-established so far.
    private var resets = 0
    /// The URL without its password, for messages.
    let location: String

    /// Connects to `url` (a validated `PostgresURL`).
    /// - Throws: `EdgeflowError.io` when the server cannot be reached or refuses the login.
    init(_ url: PostgresURL) throws {
        location = url.redacted
        guard let connection = PQconnectdb(url.text) else {
            throw EdgeflowError(.io, "cannot connect to the photo library \(location): out of memory")
        }
        guard PQstatus(connection) == CONNECTION_OK else {
            let message = url.scrub(String(cString: PQerrorMessage(connection)))
            PQfinish(connection)
            throw EdgeflowError(.io, "cannot connect to the photo library \(location): "
                                    + message.trimmingCharacters(in: .whitespacesAndNewlines),
                                hint: "check the URL, that the server runs, and the password (PGPASSWORD or ~/.pgpass)")
        }
        self.connection = connection
        _ = try execute("SET client_min_messages = warning")
    }

    deinit { PQfinish(connection) }

    /// Runs one statement with `parameters` ($1, $2, …); `binary` asks for binary results.
    ///
    /// A connection found lost (the server restarted, an administrator ended the session, the
    /// network dropped) is re-established at once. A `SELECT` (or `BEGIN`) outside a transaction
    /// is then run again; anything else fails with the error, since the server may already have applied it,
    /// and the next statement runs on the new connection.
    /// - Throws: `EdgeflowError.io` with the server's message when it fails.
    @discardableResult
    func execute(_ sql: String, _ parameters: [PostgresValue] = [], binary: Bool = false) throws -> PostgresRows {
        lock.lock()
        defer { lock.unlock() }
        do {
            return try executeOnce(sql, parameters, binary: binary)
        } catch let error as EdgeflowError {
            guard PQstatus(connection) == CONNECTION_BAD else { throw error }
            try reconnect(after: error)
            guard !inTransaction, sql.hasPrefix("SELECT") || sql == "BEGIN" else {
                throw EdgeflowError(.io, error.message + " (the connection was lost and has been re-established; "
                                        + "the statement was not retried)")
            }
            return try executeOnce(sql, parameters, binary: binary)
        }
    }

    /// Re-establishes a lost connection (libpq's PQreset, same parameters).
    /// - Throws: `EdgeflowError.io` naming `error` and the reconnection's failure.
    private func reconnect(after error: EdgeflowError) throws {
        PQreset(connection)
        resets += 1
        guard PQstatus(connection) == CONNECTION_OK else {
            throw EdgeflowError(.io, error.message + "; reconnecting failed: "
                                    + String(cString: PQerrorMessage(connection))
                                        .trimmingCharacters(in: .whitespacesAndNewlines),
                                hint: "check that the PostgreSQL server runs")
        }
        _ = try executeOnce("SET client_min_messages = warning", [], binary: false)
    }

    private func executeOnce(_ sql: String, _ parameters: [PostgresValue], binary: Bool) throws -> PostgresRows {
        let bytes: [[UInt8]?] = parameters.map { value in
            switch value {
            case .text(let text): return Array(text.utf8) + [0]
            case .bytes(let bytes): return bytes
            case .null: return nil
            }
        }
        let storage = bytes.map { bytes in
            bytes.map { bytes -> UnsafeMutablePointer<CChar> in
                let pointer = UnsafeMutablePointer<CChar>.allocate(capacity: max(1, bytes.count))
                bytes.withUnsafeBytes { source in
                    if let base = source.baseAddress {
                        UnsafeMutableRawPointer(pointer).copyMemory(from: base, byteCount: source.count)
                    }
                }
                return pointer
            }
        }
        defer { storage.forEach { $0?.deallocate() } }
        let values = storage.map { UnsafePointer($0) }
        let lengths = bytes.map { Int32($0?.count ?? 0) }
        let formats = parameters.map { value -> Int32 in if case .bytes = value { return 1 } else { return 0 } }
        let result = PQexecParams(connection, sql, Int32(parameters.count), nil, values, lengths, formats,
                                  binary ? 1 : 0)
        guard let result else {
            throw EdgeflowError(.io, "\(location): \(String(cString: PQerrorMessage(connection)))")
        }
        let status = PQresultStatus(result)
        guard status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK else {
            let message = String(cString: PQresultErrorMessage(result)).trimmingCharacters(in: .whitespacesAndNewlines)
            PQclear(result)
            throw EdgeflowError(.io, "\(location): \(message)")
        }
        return PostgresRows(result, binary: binary)
    }

    /// Runs a script of several statements without parameters (the schema).
    /// - Throws: `EdgeflowError.io` with the server's message when it fails.
    func executeScript(_ sql: String) throws {
        lock.lock()
        defer { lock.unlock() }
        guard let result = PQexec(connection, sql) else {
            throw EdgeflowError(.io, "\(location): \(String(cString: PQerrorMessage(connection)))")
        }
        defer { PQclear(result) }
        guard PQresultStatus(result) == PGRES_COMMAND_OK else {
            throw EdgeflowError(.io, "\(location): " + String(cString: PQresultErrorMessage(result))
                                    .trimmingCharacters(in: .whitespacesAndNewlines))
        }
    }

    /// Runs `body` in one transaction: committed when it returns, rolled back when it throws.
    func transaction<T>(_ body: () throws -> T) throws -> T {
        lock.lock()
        defer { lock.unlock() }
        try execute("BEGIN")
        inTransaction = true
        defer { inTransaction = false }
        let connectionAtStart = resets
        do {
            let value = try body()
            try execute("COMMIT")
            return value
        } catch {
            // A transaction whose connection was lost ended with it: nothing to roll back.
            if resets == connectionAtStart { _ = try? execute("ROLLBACK") }
            throw error
        }
    }
}
