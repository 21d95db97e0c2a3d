//! The C library's allocator, told how kiwi uses memory.

/// Two settings of the C library's allocator, made once at start, before kiwi allocates much:
/// - each argon2 block (19 MiB) goes back to the system when a check ends. glibc would
///   otherwise raise its threshold for memory mapped on its own after the first blocks are
///   freed and keep later ones in its heap: ten sign-ins in a row grew kiwi by 170 MiB, a
///   burst to 590 MiB;
/// - at most two heaps (one per core of a small server) instead of eight per core: with
///   50,000 people kiwi holds 160 MiB instead of 171 MiB (`bench/memory.sh`).
pub fn tune() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: mallopt only changes allocator settings (glibc takes its own lock for them);
    // a failure leaves the default in place.
    unsafe {
        libc::mallopt(libc::M_MMAP_THRESHOLD, 128 * 1024);
        libc::mallopt(libc::M_ARENA_MAX, 2);
    }
}

/// Gives the memory freed after a large load back to the system. Loading the access index
/// allocates and frees many small blocks (rows, growing tables); glibc keeps the freed pages
/// in its heaps, where they count as kiwi's resident memory until a later allocation reuses
/// them.
pub fn release_freed_memory() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: malloc_trim only returns free pages of the allocator's heaps to the system,
    // under the allocator's own locks.
    unsafe {
        libc::malloc_trim(0);
    }
}
