// The table of ONNX op importers, assembled from one table per op group.

import EFCore

/// Imports one ONNX node into the context, producing IR values named as the node's outputs.
public typealias OpImporter = (OnnxNode, ImportContext) throws -> Void

/// All supported ONNX ops of the default domain, by op type.
public enum OpImporterRegistry {
    public static let importers: [String: OpImporter] = {
        var table: [String: OpImporter] = [:]
        for group in [ElementwiseImporters.table, LinearImporters.table, ReductionImporters.table,
                      MovementImporters.table, ResizeImporters.table, QuantImporters.table,
                      ConstantImporters.table, ControlFlowImporters.table, LoopImporters.table,
                      RecurrentImporters.table, TransformerImporters.table, SamplingImporters.table,
                      EinsumImporter.table, ExtraImporters.table, Col2ImImporter.table,
                      ReverseSequenceImporter.table, SpectralImporters.table,
                      GroupNormImporter.table, MaxUnpoolImporter.table, LossImporters.table,
                      DataDependentImporters.table, StreamingStateImporters.table] {
            table.merge(group) { _, _ in preconditionFailure("an ONNX op is registered twice") }
        }
        return table
    }()
}
