#if canImport(Glibc)
import Glibc
#endif

/// Hands memory that the allocator holds free back to the system after a burst of work (the
/// audit chain check reads the whole trail in batches on every core): glibc keeps freed blocks
/// in per-thread arenas, so the resident size would otherwise stay near the burst's peak while
/// the server idles. `malloc_trim` is glibc's (not in Swift's Glibc module), so it is looked up.
enum FreedMemory {
    #if canImport(Glibc)
    private typealias Trim = @convention(c) (Int) -> Int32
    private static let trim: Trim? = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "malloc_trim").map { unsafeBitCast($0, to: Trim.self) }
    #endif

    /// Whether the allocator could release anything.
    @discardableResult
    static func release() -> Bool {
        #if canImport(Glibc)
        return (trim?(0) ?? 0) == 1
        #else
        return false
        #endif
    }
}
