// The registry of every fuzz target, one per reader of untrusted input. A reader added later
// (the executable format, the HEF reader, the HTTP multipart parser) gets its target here.

/// Every fuzz target, by name.
public enum FuzzTargets {
    /// All targets in the order scripts/fuzz.sh runs them.
    public static let all: [FuzzTarget] = ModelFuzzTargets.all + MediaFuzzTargets.all + TextFuzzTargets.all
        + HailoFuzzTargets.all
        + [ExecutableFuzzTarget.efx, ExecutableFuzzTarget.model, ProgramFuzzTarget.program, LoopFuzzTarget.params]
        + QuantizeFuzzTargets.all + SearchFuzzTargets.all + ModelHubFuzzTargets.all + ImmichFuzzTargets.all

    /// The target called `name`, or nil.
    public static func named(_ name: String) -> FuzzTarget? { all.first { $0.name == name } }
}
