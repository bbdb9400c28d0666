// Running oneDNN primitives: constant operands packed once into memory we own, and a runner
// that executes a primitive on caller-owned buffers. Each concurrent caller borrows its own
// execution context (stream + memory objects) from a small pool, so execute is thread-safe
// and, after the first call per concurrent thread, allocates nothing.

import CDNNL
import EFCore
import Foundation

/// A constant operand (weights, bias) reordered once into the descriptor a primitive wants.
final class PackedOperand {
    let memory: dnnl_memory_t
    private let buffer: UnsafeMutableRawPointer

    /// Reorders `data`, laid out as `source`, into a new buffer laid out as `packed`.
    init(_ data: UnsafeRawPointer, source: dnnl_memory_desc_t, packed: dnnl_memory_desc_t, engine: DNNLEngine) throws {
        buffer = LargeAllocation.allocate(byteCount: max(MemoryDescriptors.byteCount(packed), 64), alignment: 64)
        do {
            memory = try makeMemory(packed, engine, handle: buffer)
            let reorder = try PrimitiveDescriptor.reorder(from: source, to: packed, engine: engine)
            let user = try makeMemory(source, engine, handle: UnsafeMutableRawPointer(mutating: data))
            defer { dnnl_memory_destroy(user) }
            try runOnce(reorder, engine, [(DNNL_ARG_FROM, user), (DNNL_ARG_TO, memory)])
        } catch {
            buffer.deallocate()
            throw error
        }
    }

    deinit {
        dnnl_memory_destroy(memory)
        buffer.deallocate()
    }
}

/// An operand given on every call: the argument it binds to, the descriptor the primitive
/// takes, and (for bf16 kernels) the descriptor of the caller's f32 buffer, which is then
/// reordered into a scratchpad region first.
struct RuntimeOperand {
    var argument: Int32
    var desc: dnnl_memory_desc_t
    var callerDesc: dnnl_memory_desc_t? = nil
}

/// A primitive with its constant operands, executed on caller-owned buffers.
final class PrimitiveRunner: @unchecked Sendable {
    let implementation: String
    /// Bytes of the caller's scratchpad: the primitive's own, then one region per converted operand.
    let scratchpadByteCount: Int

    private let engine: DNNLEngine
    private let primitive: dnnl_primitive_t
    private let operands: [RuntimeOperand]
    private let constants: [(Int32, PackedOperand)]
    private let conversions: [(primitive: dnnl_primitive_t, offset: Int)?]
    private let primitiveScratchpad: dnnl_memory_desc_t?
    private var idle: [ExecutionContext] = []
    private let lock = NSLock()

    init(_ pd: PrimitiveDescriptor, engine: DNNLEngine, operands: [RuntimeOperand],
         constants: [(Int32, PackedOperand)]) throws {
        self.engine = engine
        self.operands = operands
        self.constants = constants
        implementation = pd.implementation
        let scratch = try pd.memory(dnnl_query_scratchpad_md)
        var bytes = MemoryDescriptors.byteCount(scratch)
        primitiveScratchpad = bytes > 0 ? scratch : nil
        var conversions: [(primitive: dnnl_primitive_t, offset: Int)?] = []
        for operand in operands {
            guard let callerDesc = operand.callerDesc else {
                conversions.append(nil)
                continue
            }
            let reorder = try PrimitiveDescriptor.reorder(from: callerDesc, to: operand.desc, engine: engine)
            guard MemoryDescriptors.byteCount(try reorder.memory(dnnl_query_scratchpad_md)) == 0 else {
                throw EdgeflowError(.unsupported, "oneDNN: the bf16 conversion reorder needs a scratchpad")
            }
            bytes = (bytes + 63) / 64 * 64
            conversions.append((try makePrimitive(reorder), bytes))
            bytes += MemoryDescriptors.byteCount(operand.desc)
        }
        self.conversions = conversions
        scratchpadByteCount = bytes
        primitive = try makePrimitive(pd)
    }

    deinit {
        idle.removeAll()
        for case let conversion? in conversions { dnnl_primitive_destroy(conversion.primitive) }
        dnnl_primitive_destroy(primitive)
    }

    /// Runs the primitive with its operands (in `RuntimeOperand` order) at `first`, `second`
    /// and `third`, and the scratchpad at `scratchpad` (`scratchpadByteCount` bytes).
    /// - Throws: `EdgeflowError.invalidInput` for a missing buffer, `.unsupported` if oneDNN fails.
    func run(scratchpad: UnsafeMutableRawPointer?, _ first: UnsafeMutableRawPointer,
             _ second: UnsafeMutableRawPointer, _ third: UnsafeMutableRawPointer? = nil) throws {
        guard scratchpad != nil || scratchpadByteCount == 0 else {
            throw EdgeflowError(.invalidInput, "oneDNN kernel (\(implementation)) needs a scratchpad of \(scratchpadByteCount) bytes, got none")
        }
        guard operands.count <= 2 || third != nil else {
            throw EdgeflowError(.invalidInput, "oneDNN kernel (\(implementation)) needs \(operands.count) buffers")
        }
        let context = try borrowContext()
        defer { returnContext(context) }
        for (index, operand) in context.operands.enumerated() {
            let buffer = index == 0 ? first : index == 1 ? second : third ?? second
            if let conversion = conversions[index], let scratchpad, let caller = context.callers[index] {
                dnnl_memory_set_data_handle(caller, buffer)
                dnnl_memory_set_data_handle(operand, scratchpad + conversion.offset)
                try context.run(conversion.primitive, context.conversionArguments[index])
            } else {
                dnnl_memory_set_data_handle(operand, buffer)
            }
        }
        if let memory = context.scratchpad { dnnl_memory_set_data_handle(memory, scratchpad) }
        try context.run(primitive, context.arguments)
    }

    private func borrowContext() throws -> ExecutionContext {
        lock.lock()
        let context = idle.popLast()
        lock.unlock()
        if let context { return context }
        return try ExecutionContext(engine: engine, operands: operands, constants: constants,
                                    scratchpad: primitiveScratchpad)
    }

    private func returnContext(_ context: ExecutionContext) {
        lock.lock()
        idle.append(context)
        lock.unlock()
    }
}

/// One caller's stream and memory objects (their data handles change per call).
private final class ExecutionContext {
    let stream: dnnl_stream_t
    var operands: [dnnl_memory_t] = []
    var callers: [dnnl_memory_t?] = []
    var scratchpad: dnnl_memory_t?
    var arguments: [dnnl_exec_arg_t] = []
    var conversionArguments: [[dnnl_exec_arg_t]] = []

    init(engine: DNNLEngine, operands descs: [RuntimeOperand], constants: [(Int32, PackedOperand)],
         scratchpad scratchDesc: dnnl_memory_desc_t?) throws {
        stream = try makeStream(engine)
        do {
            for operand in descs {
                let memory = try makeMemory(operand.desc, engine, handle: nil)
                operands.append(memory)
                arguments.append(dnnl_exec_arg_t(arg: operand.argument, memory: memory))
                if let callerDesc = operand.callerDesc {
                    let caller = try makeMemory(callerDesc, engine, handle: nil)
                    callers.append(caller)
                    conversionArguments.append([dnnl_exec_arg_t(arg: DNNL_ARG_FROM, memory: caller),
                                                dnnl_exec_arg_t(arg: DNNL_ARG_TO, memory: memory)])
                } else {
                    callers.append(nil)
                    conversionArguments.append([])
                }
            }
            for (argument, constant) in constants {
                arguments.append(dnnl_exec_arg_t(arg: argument, memory: constant.memory))
            }
            if let scratchDesc {
                let memory = try makeMemory(scratchDesc, engine, handle: nil)
                scratchpad = memory
                arguments.append(dnnl_exec_arg_t(arg: DNNL_ARG_SCRATCHPAD, memory: memory))
            }
        } catch {
            release()
            throw error
        }
    }

    deinit { release() }

    private func release() {
        for memory in operands { dnnl_memory_destroy(memory) }
        for case let memory? in callers { dnnl_memory_destroy(memory) }
        if let scratchpad { dnnl_memory_destroy(scratchpad) }
        operands = []
        callers = []
        scratchpad = nil
        dnnl_stream_destroy(stream)
    }

    func run(_ primitive: dnnl_primitive_t, _ arguments: [dnnl_exec_arg_t]) throws {
        try arguments.withUnsafeBufferPointer { args in
            try check(dnnl_primitive_execute(primitive, stream, Int32(args.count), args.baseAddress), "execute")
        }
        try check(dnnl_stream_wait(stream), "stream wait")
    }
}

func makeMemory(_ desc: dnnl_memory_desc_t, _ engine: DNNLEngine, handle: UnsafeMutableRawPointer?) throws -> dnnl_memory_t {
    var memory: dnnl_memory_t?
    var desc = desc
    try check(dnnl_memory_create(&memory, &desc, engine.engine, handle), "memory creation")
    guard let memory else { throw EdgeflowError(.internalError, "oneDNN returned no memory object") }
    return memory
}

func makePrimitive(_ pd: PrimitiveDescriptor) throws -> dnnl_primitive_t {
    var primitive: dnnl_primitive_t?
    try check(dnnl_primitive_create(&primitive, pd.raw), "primitive creation")
    guard let primitive else { throw EdgeflowError(.internalError, "oneDNN returned no primitive") }
    return primitive
}

private func makeStream(_ engine: DNNLEngine) throws -> dnnl_stream_t {
    var stream: dnnl_stream_t?
    try check(dnnl_stream_create(&stream, engine.engine, dnnl_stream_default_flags.rawValue), "stream creation")
    guard let stream else { throw EdgeflowError(.internalError, "oneDNN returned no stream") }
    return stream
}

/// Executes a one-off primitive (a weight reorder) with a temporary stream and scratchpad.
private func runOnce(_ pd: PrimitiveDescriptor, _ engine: DNNLEngine, _ arguments: [(Int32, dnnl_memory_t)]) throws {
    let primitive = try makePrimitive(pd)
    defer { dnnl_primitive_destroy(primitive) }
    let stream = try makeStream(engine)
    defer { dnnl_stream_destroy(stream) }
    var args = arguments.map { dnnl_exec_arg_t(arg: $0.0, memory: $0.1) }
    let scratchDesc = try pd.memory(dnnl_query_scratchpad_md)
    let scratchBytes = MemoryDescriptors.byteCount(scratchDesc)
    let scratch = UnsafeMutableRawPointer.allocate(byteCount: max(scratchBytes, 64), alignment: 64)
    defer { scratch.deallocate() }
    var scratchMemory: dnnl_memory_t?
    if scratchBytes > 0 {
        let memory = try makeMemory(scratchDesc, engine, handle: scratch)
        scratchMemory = memory
        args.append(dnnl_exec_arg_t(arg: DNNL_ARG_SCRATCHPAD, memory: memory))
    }
    defer { if let scratchMemory { dnnl_memory_destroy(scratchMemory) } }
    try check(dnnl_primitive_execute(primitive, stream, Int32(args.count), args), "reorder execute")
    try check(dnnl_stream_wait(stream), "stream wait")
}
