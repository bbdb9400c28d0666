// `edgeflow photos list`: every indexed photo once, with its state.

import ArgumentParser
import EFSearch
import Foundation

struct PhotosListCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "list",
        abstract: "List every photo in the library with its state (embedded by which model, errors).")

    @OptionGroup var library: LibraryOptions

    @Flag(help: "Print machine-readable JSON.")
    var json = false

    private struct Entry: Encodable {
        var id: Int64
        var path: String
        var size: Int
        var format: String?
        var width: Int?
        var height: Int?
        var takenAt: String?
        var models: [String]
        var thumbnail: Bool
        /// The text found by the text reader ("" when it found none; absent when not read).
        var text: String?
        var error: String?
        var state: String
    }

    func run() throws {
        try CommandSupport.run {
            let photos = try library.open(create: false)
            let entries = try photos.listing().map { item in
                let photo = item.photo
                let state = photo.lastError != nil ? "unreadable"
                    : !item.models.isEmpty ? "embedded" : item.hasThumbnail ? "metadata" : "pending"
                return Entry(id: photo.id, path: photo.path, size: photo.size, format: photo.format, width: photo.width,
                             height: photo.height, takenAt: photo.takenAt, models: item.models,
                             thumbnail: item.hasThumbnail, text: item.text, error: photo.lastError, state: state)
            }
            if json {
                try CommandSupport.printJSON(entries)
                return
            }
            for entry in entries {
                let size = entry.width.map { "\($0)×\(entry.height ?? 0)" } ?? "-"
                var detail = entry.error ?? (entry.models.isEmpty ? "" : entry.models.joined(separator: ","))
                if let text = entry.text, !text.isEmpty {
                    detail += "  text: " + text.split(separator: "\n").joined(separator: " · ")
                }
                print([entry.state.padding(toLength: 10, withPad: " ", startingAt: 0),
                       size.padding(toLength: 11, withPad: " ", startingAt: 0),
                       (entry.takenAt ?? "-").padding(toLength: 19, withPad: " ", startingAt: 0), entry.path, detail]
                        .joined(separator: "  "))
            }
            let counts = Dictionary(grouping: entries, by: \.state).mapValues(\.count).sorted { $0.key < $1.key }
            print("\(entries.count) photos: " + counts.map { "\($0.value) \($0.key)" }.joined(separator: ", "))
        }
    }
}
