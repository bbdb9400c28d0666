// The photo-library behaviour tests of PhotoLibraryIndexTests and PhotoTextSearchTests run again
// on a PostgreSQL library (a throwaway cluster shared by this test process), plus what only
// PostgreSQL has: its own format version check and refusing a database of other tables.

import EFCore
import EFSearch
import EFTestSupport
import Foundation
import XCTest

/// The test process's cluster (`PostgresCluster.shared()`).
enum SharedPostgres {
    /// - Throws: `XCTSkip` when PostgreSQL is not installed.
    static func cluster() throws -> PostgresCluster { try PostgresCluster.shared() }

    /// A new empty database's URL.
    static func database() throws -> String { try cluster().createDatabase() }
}

final class PostgresLibraryIndexTests: PhotoLibraryIndexTests {
    private var url: String?

    override func openLibrary() throws -> any PhotoStore {
        if url == nil { url = try SharedPostgres.database() }
        return try PostgresPhotoLibrary(url: url!)
    }

    override func testNewerLibraryAndNonLibraryFilesAreRefused() throws {
        let cluster = try SharedPostgres.cluster()
        let url = try cluster.createDatabase()
        let name = String(url.split(separator: "/").last!)
        _ = try PostgresPhotoLibrary(url: url)
        try cluster.sql("UPDATE edgeflow_library SET format_version = 99", database: name)
        XCTAssertThrowsError(try PostgresPhotoLibrary(url: url)) { error in
            XCTAssertEqual((error as? EdgeflowError)?.kind, .invalidArchive)
            XCTAssertTrue("\(error)".contains("format version 99"), "\(error)")
        }
        let other = try cluster.createDatabase()
        try cluster.sql("CREATE TABLE invoices (id integer)", database: String(other.split(separator: "/").last!))
        XCTAssertThrowsError(try PostgresPhotoLibrary(url: other)) { error in
            XCTAssertEqual((error as? EdgeflowError)?.kind, .invalidArchive, "\(error)")
            XCTAssertTrue("\(error)".contains("not an Edgeflow photo library"), "\(error)")
        }
        XCTAssertThrowsError(try PhotoStores.open(try cluster.createDatabase(), create: false)) { error in
            XCTAssertTrue("\(error)".contains("no photo library"), "\(error)")
        }
    }
}

/// A library whose server session is ended (as a server restart or a dropped network would):
/// reads and transactions are run again on a new connection; a lone write fails once, saying so,
/// and the next works.
final class PostgresReconnectTests: XCTestCase {
    func testALostConnectionIsReestablished() throws {
        let cluster = try SharedPostgres.cluster()
        let url = try cluster.createDatabase()
        let name = String(url.split(separator: "/").last!)
        let library = try PostgresPhotoLibrary(url: url)
        func endSessions() throws {
            try cluster.sql("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '\(name)' "
                                + "AND pid <> pg_backend_pid()", database: name)
        }
        XCTAssertEqual(try library.photos().count, 0)
        try endSessions()
        XCTAssertEqual(try library.photos().count, 0, "a read after the session ended is run again")
        XCTAssertEqual(try library.embeddingsStamp(model: "m").removed, 0)

        try endSessions()
        XCTAssertThrowsError(try library.beginRun(folders: ["/photos"], model: nil)) { error in
            XCTAssertEqual((error as? EdgeflowError)?.kind, .io)
            XCTAssertTrue("\(error)".contains("re-established"), "an INSERT is not run twice: \(error)")
        }
        XCTAssertGreaterThan(try library.beginRun(folders: ["/photos"], model: nil), 0)
        try endSessions()
        let model = try library.registerModel(name: "m", dimension: 4, fingerprint: "f")  // its BEGIN is retried
        XCTAssertEqual(try library.models().map(\.name), ["m"])
        XCTAssertFalse(model.reset)
    }
}

final class PostgresTextSearchTests: PhotoTextSearchTests {
    private var url: String?

    override func openLibrary() throws -> any PhotoStore {
        if url == nil { url = try SharedPostgres.database() }
        return try PostgresPhotoLibrary(url: url!)
    }

    override func testAVersion1LibraryIsMigrated() throws {
        throw XCTSkip("SQLite only: the PostgreSQL library starts at its own format version 1")
    }
}
