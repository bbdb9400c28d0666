// The Edgeflow release, stamped into the archives and executables it writes.

/// The Edgeflow release that writes archives and executables.
public enum EdgeflowVersion {
    public static let current = "0.2.0"
}
