// Sparse TFLite constants made dense at import, as TFLite's DENSIFY kernel does at run time
// (its FormatConverter): the levels are walked in traversal order, dense levels over every
// position, compressed ones over their stored indices, and each leaf takes the next stored
// value at the dense position its dimension and block indices name. Every parameter is checked
// against the dense shape first, and the walk is charged to a step budget, so a corrupt file
// fails with a message instead of writing out of bounds or looping for ever.

import EFCore

/// Sparse constants made dense.
public enum SparseTensors {
    /// The dense bytes of a sparse constant.
    /// - Parameters:
    ///   - values: the stored values (the tensor's buffer), `elementSize` bytes each.
    ///   - shape: the tensor's dense shape (its byte count already checked).
    /// - Throws: `.invalidModel` when the parameters do not describe `shape` or the stored values.
    public static func densify(_ values: ArraySlice<UInt8>, elementSize: Int, shape: [Int], sparsity: TFLiteSparsity,
                        name: String) throws -> [UInt8] {
        let walk = try Walk(shape: shape, sparsity: sparsity, name: name)
        guard elementSize > 0, values.count % elementSize == 0 else {
            throw walk.error("its buffer of \(values.count) bytes is not a whole number of elements")
        }
        var dense = [UInt8](repeating: 0, count: shape.reduce(1, *) * elementSize)
        var state = Walk.State(indices: [Int](repeating: 0, count: walk.levelSizes.count),
                               valueCount: values.count / elementSize,
                               steps: (walk.levelSizes.count + 1) * (shape.reduce(1, *) + 1))
        try dense.withUnsafeMutableBytes { out in
            try values.withUnsafeBytes { stored in
                try walk.visit(level: 0, parent: 0, &state) { position, value in
                    let from = stored.baseAddress! + value * elementSize
                    (out.baseAddress! + position * elementSize).copyMemory(from: from, byteCount: elementSize)
                }
            }
        }
        guard state.nextValue == state.valueCount else {
            throw walk.error("the sparsity parameters place \(state.nextValue) values; its buffer holds "
                + "\(state.valueCount)")
        }
        return dense
    }
}

/// One densification: the checked parameters and the recursive walk over the levels.
private struct Walk {
    let shape: [Int]
    let sparsity: TFLiteSparsity
    let name: String
    /// Positions at each level (a dimension's blocked size, or a block's size).
    let levelSizes: [Int]
    /// Block size of each block dimension.
    let blockSizes: [Int]

    struct State {
        var indices: [Int]
        let valueCount: Int
        var nextValue = 0
        var steps: Int
    }

    init(shape: [Int], sparsity: TFLiteSparsity, name: String) throws {
        self.shape = shape
        self.sparsity = sparsity
        self.name = name
        let rank = shape.count, blocks = sparsity.blockMap.count, levelCount = rank + blocks
        let order = sparsity.traversalOrder
        guard order.count == levelCount, sparsity.levels.count == levelCount,
              Set(order.prefix(rank)) == Set(0..<rank), Set(order.dropFirst(rank)) == Set(rank..<levelCount),
              sparsity.blockMap.allSatisfy({ (0..<rank).contains($0) }), Set(sparsity.blockMap).count == blocks else {
            throw Self.error(name, "traversal order \(order) and block map \(sparsity.blockMap) do not describe "
                + "rank \(rank) with \(sparsity.levels.count) levels")
        }
        var dimensionSizes = shape
        var blockSizes: [Int] = []
        for (block, dimension) in sparsity.blockMap.enumerated() {
            let size = sparsity.levels[rank + block].denseSize
            guard size > 0, shape[dimension] % size == 0 else {
                throw Self.error(name, "block size \(size) does not divide dimension \(dimension) of \(shape)")
            }
            blockSizes.append(size)
            dimensionSizes[dimension] /= size
        }
        self.blockSizes = blockSizes
        levelSizes = order.map { $0 < rank ? dimensionSizes[$0] : blockSizes[$0 - rank] }
        for (level, metadata) in sparsity.levels.enumerated() where metadata.isDense {
            guard metadata.denseSize == levelSizes[level] else {
                throw Self.error(name, "level \(level) is dense with size \(metadata.denseSize); the shape gives "
                    + "\(levelSizes[level])")
            }
        }
    }

    static func error(_ name: String, _ message: String) -> EdgeflowError {
        EdgeflowError(.invalidModel, "sparse constant '\(name)': \(message)")
    }

    func error(_ message: String) -> EdgeflowError { Self.error(name, message) }

    /// Visits the subtree of `level` under position `parent` of the level above, calling
    /// `place(densePosition, valueIndex)` at each leaf.
    func visit(level: Int, parent: Int, _ state: inout State, _ place: (Int, Int) -> Void) throws {
        state.steps -= 1
        guard state.steps >= 0 else { throw error("its compressed levels visit more positions than the shape has") }
        if level == levelSizes.count { return try leaf(&state, place) }
        let metadata = sparsity.levels[level]
        if metadata.isDense {
            for position in 0..<levelSizes[level] {
                state.indices[level] = position
                try visit(level: level + 1, parent: parent * levelSizes[level] + position, &state, place)
            }
            return
        }
        let segments = metadata.segments, indices = metadata.indices
        guard parent + 1 < segments.count, segments[parent] >= 0, segments[parent] <= segments[parent + 1],
              segments[parent + 1] <= indices.count else {
            throw error("level \(level): segment \(parent) is missing or outside its \(indices.count) indices")
        }
        for slot in segments[parent]..<segments[parent + 1] {
            guard (0..<levelSizes[level]).contains(indices[slot]) else {
                throw error("level \(level): index \(indices[slot]) is outside 0..<\(levelSizes[level])")
            }
            state.indices[level] = indices[slot]
            try visit(level: level + 1, parent: slot, &state, place)
        }
    }

    /// Places the next stored value at the dense position the current indices name.
    private func leaf(_ state: inout State, _ place: (Int, Int) -> Void) throws {
        guard state.nextValue < state.valueCount else {
            throw error("the sparsity parameters name more values than its buffer's \(state.valueCount)")
        }
        let rank = shape.count
        var coordinates = [Int](repeating: 0, count: rank)
        for level in 0..<rank { coordinates[sparsity.traversalOrder[level]] = state.indices[level] }
        for level in rank..<levelSizes.count {
            let block = sparsity.traversalOrder[level] - rank
            let dimension = sparsity.blockMap[block]
            coordinates[dimension] = coordinates[dimension] * blockSizes[block] + state.indices[level]
        }
        var position = 0
        for (dimension, coordinate) in coordinates.enumerated() { position = position * shape[dimension] + coordinate }
        place(position, state.nextValue)
        state.nextValue += 1
    }
}
