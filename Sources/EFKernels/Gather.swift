// Gather, GatherElements and GatherND (ONNX semantics; negative indices count from the end).

import EFCore

extension Kernels {
    /// Gathers slices of `data` along `axis` (normalized): output shape is
    /// `data.shape[..<axis] + indices.shape + data.shape[axis+1...]`.
    /// - Throws: `EdgeflowError.invalidInput` for non-integer or out-of-range indices.
    public static func gather(_ data: Tensor, indices: Tensor, axis: Int) throws -> Tensor {
        guard axis >= 0 && axis < data.rank else {
            throw EdgeflowError(.invalidInput, "gather axis \(axis) is out of range for rank \(data.rank)")
        }
        let index = try indexValues(indices, "gather")
        let size = data.shape[axis]
        let resolved = try index.map { try resolveIndex($0, size: size, "gather") }
        let shape = Array(data.shape[..<axis]) + indices.shape + Array(data.shape[(axis + 1)...])
        let out = try makeOutput(data.dtype, shape, "gather")
        let outer = data.shape[..<axis].reduce(1, *), inner = data.shape[(axis + 1)...].reduce(1, *)
        var dst = 0
        for o in 0..<outer {
            let base = o * size * inner
            for i in resolved {
                copyBlock(data, base + i * inner, out, dst, count: inner)
                dst += inner
            }
        }
        return out
    }

    /// ONNX GatherElements: `out[i] = data[i with i[axis] replaced by indices[i]]`; output shape
    /// is `indices.shape`, which must have `data`'s rank.
    /// - Throws: `EdgeflowError.invalidInput` for a rank mismatch or out-of-range indices.
    public static func gatherElements(_ data: Tensor, indices: Tensor, axis: Int) throws -> Tensor {
        let offsets = try elementOffsets(data.shape, indices: indices, axis: axis, "gatherElements")
        return try gather(data, offsets: offsets, shape: indices.shape)
    }

    /// Offsets into a tensor of `shape` for each position of `indices` along `axis`
    /// (GatherElements/ScatterElements addressing).
    static func elementOffsets(_ shape: [Int], indices: Tensor, axis: Int, _ context: String) throws -> [Int] {
        guard indices.rank == shape.count, axis >= 0, axis < shape.count else {
            throw EdgeflowError(.invalidInput,
                "\(context): indices \(indices.shape.shapeDescription) and data \(shape.shapeDescription) need equal "
                    + "rank and a valid axis \(axis)")
        }
        let values = try indexValues(indices, context)
        var strides = shape.contiguousStrides
        let axisStride = strides[axis], size = shape[axis]
        strides[axis] = 0
        var offsets = [Int](repeating: 0, count: values.count)
        var i = 0
        try forEachIndex(indices.shape, strides: strides) { _, offset in
            offsets[i] = offset + (try resolveIndex(values[i], size: size, context)) * axisStride
            i += 1
        }
        return offsets
    }

    /// ONNX GatherND with `batchDims` leading batch dims shared by data and indices.
    /// Output shape: `indices.shape[..<q-1] + data.shape[batchDims + m...]`, m = indices' last dim.
    /// - Throws: `EdgeflowError.invalidInput` for inconsistent shapes or out-of-range indices.
    public static func gatherND(_ data: Tensor, indices: Tensor, batchDims: Int) throws -> Tensor {
        let layout = try NDLayout(data.shape, indices.shape, batchDims: batchDims, "gatherND")
        let starts = try layout.blockOffsets(try indexValues(indices, "gatherND"), "gatherND")
        let out = try makeOutput(data.dtype, layout.gatherShape, "gatherND")
        for (k, start) in starts.enumerated() {
            copyBlock(data, start, out, k * layout.blockSize, count: layout.blockSize)
        }
        return out
    }
}

/// Addressing shared by GatherND and ScatterND: each index tuple selects a block of data.
struct NDLayout {
    let dataShape: [Int]
    let batchDims: Int
    /// Length of each index tuple.
    let depth: Int
    /// Number of index tuples per batch entry.
    let tuplesPerBatch: Int
    let batchCount: Int
    /// Elements per selected block.
    let blockSize: Int
    /// GatherND's output shape.
    let gatherShape: [Int]

    init(_ data: [Int], _ indices: [Int], batchDims b: Int, _ context: String) throws {
        guard let m = indices.last, indices.count >= 1, b >= 0, b < indices.count, b + m <= data.count,
              Array(data.prefix(b)) == Array(indices.prefix(b)) else {
            throw EdgeflowError(.invalidInput,
                "\(context): indices \(indices.shapeDescription) do not address data \(data.shapeDescription) with "
                    + "batch_dims \(b)")
        }
        dataShape = data
        batchDims = b
        depth = m
        batchCount = data.prefix(b).reduce(1, *)
        tuplesPerBatch = indices[b..<(indices.count - 1)].reduce(1, *)
        blockSize = data[(b + m)...].reduce(1, *)
        gatherShape = Array(indices.dropLast()) + Array(data[(b + m)...])
    }

    /// The data offset of each index tuple's block, in index order.
    func blockOffsets(_ values: [Int], _ context: String) throws -> [Int] {
        let strides = dataShape.contiguousStrides
        let batchStride = batchDims > 0 ? strides[batchDims - 1] : 0
        var offsets: [Int] = []
        offsets.reserveCapacity(batchCount * tuplesPerBatch)
        var t = 0
        for batch in 0..<batchCount {
            for _ in 0..<tuplesPerBatch {
                var offset = batch * batchStride
                for k in 0..<depth {
                    let axis = batchDims + k
                    let index = try Kernels.resolveIndex(values[t * depth + k], size: dataShape[axis], context)
                    offset += index * strides[axis]
                }
                offsets.append(offset)
                t += 1
            }
        }
        return offsets
    }
}
