// weights.npz members that lie: shapes whose size overflows, shapes their bytes do not fill,
// shapes that contradict graph.json, two members for one key. Each is an invalid archive.

import EFArchive
import EFCore
import Foundation
import XCTest

final class WeightsDamageTests: XCTestCase {
    private let overflowing = "{'descr': '<f4', 'fortran_order': False, 'shape': (4294967296, 4294967296), }"

    /// A valid archive whose weights.npz member `member` is replaced by `npy`.
    private func archive(replacingWeight member: String, with npy: [UInt8]) throws -> Data {
        let editing = try ArchiveEditing(SampleGraphs.weightsOnly())
        let npz = try XCTUnwrap(editing.members.first { $0.name == "weights.npz" }).data
        let members = try ZipFile.decode(npz, label: "weights.npz").map { entry in
            entry.name == member ? (name: member, data: Data(npy)) : entry
        }
        return try editing.replacing("weights.npz", with: ZipFile.encode(members))
    }

    func testNPZMemberWhoseShapeOverflowsIsRefused() {
        let npz = CraftedZip.stored([("w.npy", craftedNPY(overflowing, data: [0, 0, 0, 0]))])
        assertEdgeflowError(try NPZ.decode(npz, label: "w.npz"), .invalidArchive,
                            "w.npz: member 'w.npy': .npy shape: shape [4294967296, 4294967296] has more than "
                                + "9223372036854775807 elements")
    }

    func testNPZMemberDeclaringMoreThanItHoldsIsRefused() {
        let npy = craftedNPY("{'descr': '<f8', 'fortran_order': False, 'shape': (100000, 100000, 100000), }",
                             data: [1, 2])
        assertEdgeflowError(try NPZ.decode(CraftedZip.stored([("w.npy", npy)]), label: "w.npz"), .invalidArchive,
                            "the .npy data holds 2 bytes but its header declares [100000, 100000, 100000] float64 = "
                                + "8000000000000000 bytes")
    }

    func testTwoMembersWithOneKeyAreRefused() {
        let npy = [UInt8](NPY.encode(Tensor(scalar: Float(1))))
        assertEdgeflowError(try NPZ.decode(CraftedZip.stored([("a.npy", npy), ("%61.npy", npy)]), label: "w.npz"),
                            .invalidArchive, "member '%61.npy' repeats the key 'a'")
    }

    func testArchiveWeightWhoseShapeOverflowsIsRefused() throws {
        assertArchiveError(try archive(replacingWeight: "u8.npy", with: craftedNPY(overflowing)), .invalidArchive,
                           "member 'u8.npy': .npy shape: shape [4294967296, 4294967296] has more than")
    }

    func testArchiveWeightThatContradictsGraphJSONIsRefusedBeforeItsDataIsRead() throws {
        // Declares uint8[2, 3] (6 bytes) but holds none: the type mismatch is reported first.
        let npy = craftedNPY("{'descr': '|u1', 'fortran_order': False, 'shape': (2, 3), }")
        assertArchiveError(try archive(replacingWeight: "u8.npy", with: npy), .invalidArchive,
                           "weight 'u8' in weights.npz is uint8[2, 3] but graph.json types it uint8[2, 2]")
        let complex = craftedNPY("{'descr': '<c8', 'fortran_order': False, 'shape': (2, 2), }")
        assertArchiveError(try archive(replacingWeight: "u8.npy", with: complex), .invalidArchive,
                           "weight 'u8' in weights.npz is '<c8'[2, 2] but graph.json types it uint8[2, 2]")
    }

    func testArchiveWeightWithTooFewBytesIsRefused() throws {
        let npy = craftedNPY("{'descr': '|u1', 'fortran_order': False, 'shape': (2, 2), }", data: [1, 2, 3])
        assertArchiveError(try archive(replacingWeight: "u8.npy", with: npy), .invalidArchive,
                           "the .npy data holds 3 bytes but its header declares [2, 2] uint8 = 4 bytes")
    }

    func testWeightListedTwiceIsRefused() throws {
        let editing = try ArchiveEditing(SampleGraphs.weightsOnly())
        let data = try editing.editingJSON { document in
            var weights = document["weights"] as? [Any] ?? []
            weights.append(weights[0])
            document["weights"] = weights
        }
        assertArchiveError(data, .invalidArchive, "is listed twice")
    }
}
