// Allocation of large, long-lived buffers (packed weights, arenas): 2 MiB aligned and marked
// for transparent huge pages when they span at least one, so filling them takes one page fault
// per 2 MiB instead of per 4 KiB (a ResNet-50's packed weights: ~50 faults instead of ~25,000)
// and running over them misses the TLB less. Free with `deallocate()` as usual.

#if canImport(Glibc)
import Glibc
#endif

public enum LargeAllocation {
    /// Buffers at least this large get huge-page alignment and advice.
    public static let hugePageBytes = 2 << 20

    /// Uninitialized memory of `byteCount` bytes (at least 1), aligned to `alignment` (a power
    /// of two) or to 2 MiB for buffers of 2 MiB and more.
    public static func allocate(byteCount: Int, alignment: Int) -> UnsafeMutableRawPointer {
        let bytes = Swift.max(byteCount, 1)
        guard bytes >= hugePageBytes else { return .allocate(byteCount: bytes, alignment: alignment) }
        let pointer = UnsafeMutableRawPointer.allocate(byteCount: bytes, alignment: Swift.max(alignment, hugePageBytes))
        #if canImport(Glibc)
        _ = madvise(pointer, bytes - bytes % hugePageBytes, MADV_HUGEPAGE)  // advice only: failure is harmless
        #endif
        return pointer
    }
}
