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
