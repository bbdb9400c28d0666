// Fills `TFLiteModel` from a FlatBuffer: the field ids of schema.fbs, every count and index
// checked (a tensor's buffer, an operator's opcode and tensor indices), ranks and element
// counts bounded before anything is allocated.

import EFCore

extension TFLiteModel {
    /// The identifier TFLite files carry at bytes 4..<8.
    public static let fileIdentifier = "TFL3"
    /// The largest tensor rank read.
    public static let maxRank = 16

    /// Decodes a model.
    /// - Throws: `EdgeflowError(.invalidModel)` for a wrong identifier, offsets, vectors or
    ///   indices outside the file, or tables nested too deep.
    public init(buffer: FlatBuffer) throws {
        guard buffer.fileIdentifier == Self.fileIdentifier else {
            throw EdgeflowError(.invalidModel, "not a TFLite model: the file identifier is not \"TFL3\"")
        }
        let root = try buffer.root()
        file = buffer
        version = try root.uint32(0)
        description = try root.string(3, "model description") ?? ""
        let codes = try root.vector(1, elementSize: 4, "operator_codes")
        operatorCodes = try (0..<(codes?.count ?? 0)).map { try Self.operatorCode(codes!.table($0)) }
        let buffersVector = try root.vector(4, elementSize: 4, "buffers")
        buffers = try (0..<(buffersVector?.count ?? 0)).map { index in
            try Self.buffer(buffersVector!.table(index), index: index, fileSize: buffer.bytes.count)
        }
        guard let graphs = try root.vector(2, elementSize: 4, "subgraphs"), graphs.count > 0 else {
            throw EdgeflowError(.invalidModel, "the TFLite model has no subgraph")
        }
        subgraphs = try (0..<graphs.count).map { try Self.subgraph(graphs.table($0), index: $0) }
        try checkIndices()
    }

    private static func operatorCode(_ table: FlatTable) throws -> TFLiteOperatorCode {
        let deprecated = Int32(try table.int8(0))
        let builtin = try table.int32(3)
        return TFLiteOperatorCode(builtinCode: max(deprecated, builtin), customCode: try table.string(1, "custom_code"),
                                  version: try table.int32(2, default: 1))
    }

    private static func buffer(_ table: FlatTable, index: Int, fileSize: Int) throws -> TFLiteBuffer {
        if let data = try table.vector(0, elementSize: 1, "buffer \(index) data"), data.count > 0 {
            return TFLiteBuffer(range: data.byteRange)
        }
        let offset = try table.uint64(1)
        let size = try table.uint64(2)
        guard offset > 1 else { return TFLiteBuffer(range: nil) }
        guard offset <= UInt64(fileSize), size <= UInt64(fileSize) - offset else {
            throw EdgeflowError(.invalidModel, "buffer \(index): \(size) bytes at file offset \(offset) lie outside "
                + "the \(fileSize)-byte file")
        }
        return TFLiteBuffer(range: Int(offset)..<Int(offset + size))
    }

    private static func subgraph(_ table: FlatTable, index: Int) throws -> TFLiteSubgraph {
        let tensors = try table.vector(0, elementSize: 4, "subgraph \(index) tensors")
        let operators = try table.vector(3, elementSize: 4, "subgraph \(index) operators")
        return TFLiteSubgraph(
            name: try table.string(4, "subgraph name") ?? "",
            tensors: try (0..<(tensors?.count ?? 0)).map { try Self.tensor(tensors!.table($0), index: $0) },
            inputs: try table.vector(1, elementSize: 4, "subgraph inputs")?.int32s().map(Int.init) ?? [],
            outputs: try table.vector(2, elementSize: 4, "subgraph outputs")?.int32s().map(Int.init) ?? [],
            operators: try (0..<(operators?.count ?? 0)).map { try Self.operation(operators!.table($0)) })
    }

    private static func tensor(_ table: FlatTable, index: Int) throws -> TFLiteTensor {
        let name = try table.string(3, "tensor \(index) name") ?? "tensor_\(index)"
        let shapeVector = try table.vector(0, elementSize: 4, "tensor '\(name)' shape")
        guard (shapeVector?.count ?? 0) <= maxRank else {
            throw EdgeflowError(.invalidModel, "tensor '\(name)' has rank \(shapeVector!.count), more than \(maxRank)")
        }
        let shape = try shapeVector?.int32s().map(Int.init) ?? []
        guard shape.allSatisfy({ $0 >= 0 }) else {   // TFLite writes −1 only in shape_signature
            throw EdgeflowError(.invalidModel, "tensor '\(name)' has shape \(shape) with a negative dimension")
        }
        var quantization: TFLiteQuantization?
        if let q = try table.table(4, "tensor '\(name)' quantization") {
            let scale = try q.vector(2, elementSize: 4, "quantization scale")?.float32s() ?? []
            let zeroPoint = try q.vector(3, elementSize: 8, "quantization zero_point")?.int64s() ?? []
            quantization = TFLiteQuantization(scale: scale, zeroPoint: zeroPoint,
                                              quantizedDimension: Int(try q.int32(6)))
        }
        return TFLiteTensor(name: name, shape: shape, typeCode: try table.int8(1), buffer: Int(try table.uint32(2)),
                            quantization: quantization, isVariable: try table.bool(5),
                            sparsity: try table.table(6, "tensor '\(name)' sparsity").map(TFLiteSparsity.init),
                            shapeSignature: try shapeSignature(table, name: name, rank: shape.count))
    }

    /// `shape_signature`: as many entries as the shape, each −1 or the shape's dimension.
    private static func shapeSignature(_ table: FlatTable, name: String, rank: Int) throws -> [Int]? {
        guard let vector = try table.vector(7, elementSize: 4, "tensor '\(name)' shape_signature") else { return nil }
        guard vector.count == rank else {
            throw EdgeflowError(.invalidModel, "tensor '\(name)' has a shape signature of rank \(vector.count) and "
                + "a shape of rank \(rank)")
        }
        return try vector.int32s().map { $0 < 0 ? -1 : Int($0) }
    }

    private static func operation(_ table: FlatTable) throws -> TFLiteOperator {
        TFLiteOperator(
            opcodeIndex: Int(try table.uint32(0)),
            inputs: try table.vector(1, elementSize: 4, "operator inputs")?.int32s().map(Int.init) ?? [],
            outputs: try table.vector(2, elementSize: 4, "operator outputs")?.int32s().map(Int.init) ?? [],
            optionsType: try table.uint8(3),
            options: try table.table(4, "builtin options"),
            customOptions: try table.vector(5, elementSize: 1, "custom options")?.uint8s() ?? [])
    }

    /// Every index inside the model points at something that exists.
    private func checkIndices() throws {
        for (graphIndex, graph) in subgraphs.enumerated() {
            let where_ = "subgraph \(graphIndex)"
            for tensor in graph.tensors where tensor.buffer >= buffers.count && !(tensor.buffer == 0) {
                throw EdgeflowError(.invalidModel, "\(where_): tensor '\(tensor.name)' names buffer \(tensor.buffer) "
                    + "of \(buffers.count)")
            }
            for index in graph.inputs + graph.outputs where index < 0 || index >= graph.tensors.count {
                throw EdgeflowError(.invalidModel, "\(where_): graph input/output \(index) is not one of its "
                    + "\(graph.tensors.count) tensors")
            }
            for (opIndex, op) in graph.operators.enumerated() {
                guard op.opcodeIndex < operatorCodes.count else {
                    throw EdgeflowError(.invalidModel, "\(where_) operator \(opIndex): opcode index \(op.opcodeIndex) "
                        + "of \(operatorCodes.count) operator codes")
                }
                for index in op.inputs + op.outputs where index < -1 || index >= graph.tensors.count {
                    throw EdgeflowError(.invalidModel, "\(where_) operator \(opIndex) "
                        + "(\(operatorCodes[op.opcodeIndex].displayName)): tensor index \(index) is not one of "
                        + "\(graph.tensors.count) tensors")
                }
            }
        }
    }
}
