#if canImport(Glibc)
import CMalloc
#endif

/// Hands memory that the allocator holds free back to the system after a burst of work (the
/// audit chain check reads the whole trail in batches on every core): glibc keeps freed blocks
/// in per-thread arenas, so the resident size would otherwise stay near the burst's peak while
/// the server idles.
enum FreedMemory {
    /// Whether the allocator could release anything.
    @discardableResult
    static func release() -> Bool {
        #if canImport(Glibc)
        return malloc_trim(0) == 1
        #else
        return false
        #endif
    }
}
