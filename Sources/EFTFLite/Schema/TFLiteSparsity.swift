// TFLite's SparsityParameters: how a sparse constant's stored values map onto its dense shape
// (a traversal order over the dense and block dimensions, and per level either a dense size or
// compressed segments and indices, TFLite's generalized CSR). Read here; densified by
// `SparseTensors` when the importer needs the constant.

import EFCore

/// SparsityParameters of schema.fbs.
public struct TFLiteSparsity: Sendable {
    /// The order the levels are stored in: dimensions 0..<rank, then block dimensions rank..<rank+k.
    public var traversalOrder: [Int]
    /// For each block dimension, the dense dimension it subdivides.
    public var blockMap: [Int]
    /// One entry per level, in traversal order.
    public var levels: [Level]

    /// DimensionMetadata: a dense level of `denseSize` positions, or a compressed one whose
    /// positions under parent p are `indices[segments[p]..<segments[p+1]]`.
    public struct Level: Sendable {
        public var isDense: Bool
        public var denseSize: Int
        public var segments: [Int]
        public var indices: [Int]

        public init(isDense: Bool, denseSize: Int, segments: [Int] = [], indices: [Int] = []) {
            self.isDense = isDense
            self.denseSize = denseSize
            self.segments = segments
            self.indices = indices
        }
    }

    public init(traversalOrder: [Int], blockMap: [Int], levels: [Level]) {
        self.traversalOrder = traversalOrder
        self.blockMap = blockMap
        self.levels = levels
    }

    /// Reads a SparsityParameters table.
    /// - Throws: `.invalidModel` for vectors outside the buffer or an index vector of unknown type.
    init(_ table: FlatTable) throws {
        traversalOrder = try table.vector(0, elementSize: 4, "sparsity traversal_order")?.int32s().map(Int.init) ?? []
        blockMap = try table.vector(1, elementSize: 4, "sparsity block_map")?.int32s().map(Int.init) ?? []
        let metadata = try table.vector(2, elementSize: 4, "sparsity dim_metadata")
        levels = try (0..<(metadata?.count ?? 0)).map { index in
            let level = try metadata!.table(index)
            return Level(isDense: try level.uint8(0) == 0, denseSize: Int(try level.int32(1)),
                         segments: try Self.indexVector(level, typeField: 2, "array_segments"),
                         indices: try Self.indexVector(level, typeField: 4, "array_indices"))
        }
    }

    /// A SparseIndexVector union (type at `typeField`, value at the next field): Int32Vector,
    /// Uint16Vector or Uint8Vector, each a table whose field 0 holds the values.
    private static func indexVector(_ table: FlatTable, typeField: Int, _ what: String) throws -> [Int] {
        let type = try table.uint8(typeField)
        guard type != 0, let vectorTable = try table.table(typeField + 1, "sparsity \(what)") else { return [] }
        switch type {
        case 1: return try vectorTable.vector(0, elementSize: 4, what)?.int32s().map(Int.init) ?? []
        case 2: return try vectorTable.vector(0, elementSize: 2, what)?.uint16s().map(Int.init) ?? []
        case 3: return try vectorTable.vector(0, elementSize: 1, what)?.uint8s().map(Int.init) ?? []
        default:
            throw EdgeflowError(.invalidModel, "sparsity \(what) has index vector type \(type) (1–3 are defined)")
        }
    }
}
