// Fast concat and gather as block copies: concat interleaves each input's (outer, chunk)
// blocks into the output; gather copies whole inner blocks selected by int64 indices
// (embedding lookup when outer is 1). Both are byte copies, so they work for any dtype.

import EFCore

extension FastKernels {
    /// Concatenation along an axis: input k, viewed as [outer, chunkBytes[k]] bytes (its axis
    /// length × the product of the later dims × the element size), fills bytes
    /// [Σ_{j<k} chunkBytes[j], +chunkBytes[k]) of each of the `outer` output rows of Σ chunkBytes.
    /// Same bytes as `Kernels.concat`.
    /// - Throws: `EdgeflowError.invalidInput` when `inputs` and `chunkBytes` differ in length or
    ///   a size is negative.
    public static func concat(inputs: [UnsafeRawPointer], chunkBytes: [Int], outer: Int,
                              output: UnsafeMutableRawPointer) throws {
        guard inputs.count == chunkBytes.count, outer >= 0, chunkBytes.allSatisfy({ $0 >= 0 }) else {
            throw EdgeflowError(.invalidInput,
                "concat: \(inputs.count) inputs with chunk sizes \(chunkBytes) and outer \(outer) do not match")
        }
        let rowBytes = chunkBytes.reduce(0, +)
        guard rowBytes > 0 else { return }
        Parallel.forEachChunk(outer, grain: Swift.max(1, streamingGrain * 4 / rowBytes)) { range in
            for o in range {
                var position = o * rowBytes
                for (input, bytes) in zip(inputs, chunkBytes) {
                    (output + position).copyMemory(from: input + o * bytes, byteCount: bytes)
                    position += bytes
                }
            }
        }
    }

    /// Gather along an axis: input viewed as [outer, axisLength, innerBytes] bytes, output
    /// [outer, indexCount, innerBytes] with block (o, i) = input block (o, indices[i]).
    /// Negative indices count from the end. Same bytes as `Kernels.gather`.
    /// - Throws: `EdgeflowError.invalidInput` naming the first index outside
    ///   [-axisLength, axisLength), before anything is written.
    public static func gather(input: UnsafeRawPointer, outer: Int, axisLength: Int, innerBytes: Int,
                              indices: UnsafePointer<Int64>, indexCount: Int, output: UnsafeMutableRawPointer) throws {
        let size = Int64(axisLength)
        for i in 0..<indexCount where indices[i] < -size || indices[i] >= size {
            throw EdgeflowError(.invalidInput,
                "gather: index \(indices[i]) at position \(i) is out of range for an axis of size \(axisLength)",
                hint: "indices must lie in [-\(axisLength), \(axisLength))")
        }
        guard outer > 0, indexCount > 0, innerBytes > 0 else { return }
        Parallel.forEachChunk(outer * indexCount, grain: Swift.max(1, streamingGrain * 4 / innerBytes)) { range in
            for item in range {
                let o = item / indexCount, raw = indices[item % indexCount]
                let index = Int(raw < 0 ? raw + size : raw)
                (output + item * innerBytes).copyMemory(from: input + (o * axisLength + index) * innerBytes,
                                                        byteCount: innerBytes)
            }
        }
    }
}
