// The PROG section of an .efx (JSON): the program plan and the table of its constants, each a
// 64-byte aligned range of the WGHT section (constants that share bytes, such as a weight and
// its reshaped view, share one range).

import EFCore
import EFRuntime

/// Where one constant's bytes are in the WGHT section.
public struct ConstantDescriptor: Codable, Equatable, Sendable {
    public var dtype: DType
    public var shape: [Int]
    /// Byte offset in the WGHT section (a multiple of 64) and length.
    public var offset: Int
    public var byteCount: Int
}

/// The PROG section.
public struct ExecutableProgram: Codable, Equatable, Sendable {
    public var plan: ProgramPlan
    /// Indexed by `ValuePlace.constant`.
    public var constants: [ConstantDescriptor]
}
