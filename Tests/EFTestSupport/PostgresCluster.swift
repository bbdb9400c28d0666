// A throwaway PostgreSQL cluster for tests: `initdb` into a temporary folder and `pg_ctl`
// serving it on 127.0.0.1 at a free port (and a socket in that folder), trust login as user
// `postgres`; no system service is needed. As root (CI), the server runs as the `postgres`
// user through `runuser`. Tests skip, saying why, only when the PostgreSQL binaries are absent.

import Foundation
import XCTest

public final class PostgresCluster: @unchecked Sendable {
    /// The folder holding the cluster's data and socket.
    public let directory: URL
    public let port: Int
    private let binaries: URL
    private let asUser: String?
    private var databases = 0

    /// The folder of `initdb` and `pg_ctl`: /usr/lib/postgresql/<newest>/bin.
    public static func binaryFolder() -> URL? {
        let root = "/usr/lib/postgresql"
        let versions = ((try? FileManager.default.contentsOfDirectory(atPath: root)) ?? [])
            .compactMap(Int.init).sorted(by: >)
        return versions.lazy.map { URL(fileURLWithPath: "\(root)/\($0)/bin") }
            .first { FileManager.default.isExecutableFile(atPath: $0.appendingPathComponent("pg_ctl").path) }
    }

    /// Starts a new cluster.
    /// - Throws: `XCTSkip` when PostgreSQL is not installed; an error when it does not start.
    public init() throws {
        guard let binaries = Self.binaryFolder() else {
            throw XCTSkip("PostgreSQL is not installed (scripts/setup.sh installs postgresql-15): "
                          + "no /usr/lib/postgresql/*/bin/pg_ctl")
        }
        self.binaries = binaries
        let asUser = getuid() == 0 ? "postgres" : nil
        self.asUser = asUser
        directory = URL(fileURLWithPath: "/tmp/ef-pg-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        if let asUser {
            try FileManager.default.setAttributes([.ownerAccountName: asUser], ofItemAtPath: directory.path)
        }
        let data = directory.appendingPathComponent("data").path
        let run = { (program: String, arguments: [String]) in
            try Self.run(binaries.appendingPathComponent(program).path, arguments, as: asUser)
        }
        try run("initdb", ["-D", data, "-U", "postgres", "--auth=trust", "--no-sync", "-E", "UTF8"])
        var started: Int?
        for _ in 0..<5 {
            let candidate = Int.random(in: 20_000...60_000)
            let options = "-k \(directory.path) -p \(candidate) -c listen_addresses=127.0.0.1 -c fsync=off"
            if (try? run("pg_ctl", ["-D", data, "-o", options, "-l", directory.appendingPathComponent("log").path,
                                    "-t", "30", "-w", "start"])) != nil {
                started = candidate
                break
            }
        }
        guard let started else {
            throw PostgresClusterError(message: "pg_ctl could not start a server: "
                                           + ((try? String(contentsOf: directory.appendingPathComponent("log"))) ?? ""))
        }
        port = started
    }

    /// A new empty database; returns its URL.
    public func createDatabase() throws -> String {
        databases += 1
        let name = "photos\(databases)"
        try run("createdb", ["-h", "127.0.0.1", "-p", String(port), "-U", "postgres", name])
        return url(name)
    }

    /// The URL of database `name`.
    public func url(_ name: String) -> String { "postgres://postgres@127.0.0.1:\(port)/\(name)" }

    /// Runs an SQL statement with psql in database `name`.
    public func sql(_ statement: String, database name: String) throws {
        try run("psql", ["-h", "127.0.0.1", "-p", String(port), "-U", "postgres", "-d", name, "-v", "ON_ERROR_STOP=1",
                         "-q", "-c", statement])
    }

    /// Stops the server and deletes its folder.
    public func stop() {
        _ = try? run("pg_ctl", ["-D", directory.appendingPathComponent("data").path, "-m", "immediate", "-w", "stop"])
        try? FileManager.default.removeItem(at: directory)
    }

    /// Runs a PostgreSQL program (as `postgres` when this process is root).
    private func run(_ program: String, _ arguments: [String]) throws {
        try Self.run(binaries.appendingPathComponent(program).path, arguments, as: asUser)
    }

    /// posix_spawn and waitpid: Foundation's `Process` waits for the descriptors the server that
    /// `pg_ctl start` leaves running keeps open, so it never returns.
    private static func run(_ path: String, _ arguments: [String], as asUser: String?) throws {
        let program = (path as NSString).lastPathComponent
        let command = asUser.map { ["/usr/sbin/runuser", "-u", $0, "--", path] } ?? [path]
        let outputPath = "/tmp/ef-pg-output-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: outputPath) }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, outputPath, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        posix_spawn_file_actions_adddup2(&actions, 1, 2)
        let argv = (command + arguments).map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        var pid = pid_t()
        let spawned = posix_spawn(&pid, command[0], &actions, nil, argv, environ)
        guard spawned == 0 else {
            throw PostgresClusterError(message: "cannot start \(program): \(String(cString: strerror(spawned)))")
        }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0, errno == EINTR {}
        let text = (try? String(contentsOfFile: outputPath, encoding: .utf8)) ?? ""
        let exited = status & 0x7f == 0 ? (status >> 8) & 0xff : 128 + (status & 0x7f)
        guard exited == 0 else {
            throw PostgresClusterError(message: "\(program) failed (\(exited)): \(text)")
        }
    }
}

extension PostgresCluster {
    private static let started: Result<PostgresCluster, Error> = {
        let result = Result { try PostgresCluster() }
        if case .success = result { atexit { (try? PostgresCluster.started.get())?.stop() } }
        return result
    }()

    /// One cluster for the whole test process, started on first use and stopped when it exits.
    /// - Throws: `XCTSkip` when PostgreSQL is not installed.
    public static func shared() throws -> PostgresCluster { try started.get() }
}

/// A cluster that could not be set up.
public struct PostgresClusterError: Error, CustomStringConvertible {
    public var message: String
    public var description: String { message }
}
