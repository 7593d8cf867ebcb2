//! Process-wide memory settings, applied before any thread starts.

/// Caps glibc's malloc arenas at two. By default glibc gives threads their
/// own arenas, up to eight per core, and each grows and keeps its own
/// free memory: under load, with a blocking thread per waiting request,
/// that was a third of runstrong's resident memory, for no speed gained on
/// machines this size (bench/RESULTS.md).
pub fn limit_malloc_arenas() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: mallopt only sets an allocator parameter; called before any
    // other thread exists, so nothing allocates concurrently.
    unsafe {
        libc::mallopt(libc::M_ARENA_MAX, 2);
    }
}

/// Hands the heap that start-up used and freed (migrations, the seed, the
/// OpenAPI document) back to the system; glibc would otherwise keep it
/// resident for the life of the process.
pub fn release_start_up_memory() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: malloc_trim only returns free memory to the system.
    unsafe {
        libc::malloc_trim(0);
    }
}
