// Fuzz target of the model hub's listing reader (`models pull`): the input is the JSON a hub
// answers to the tree API; it is read as a listing, its layout recognized and the files chosen from it.

import EFCore
import EFModelHub
import Foundation

enum ModelHubFuzzTargets {
    static let all: [FuzzTarget] = [hubListing]

    static let hubListing = FuzzTarget(name: "hub-listing",
        summary: "a tree-API JSON document → HubListing.files, RepositoryLayout.of, select") { data in
        let files = try HubListing.files(from: data, source: "fuzz listing")
        _ = try RepositoryLayout.of(files, source: "fuzz listing").select(from: files, source: "fuzz listing")
    }
}
