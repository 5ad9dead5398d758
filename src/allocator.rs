//! The binary's allocator: mimalloc, tuned to return freed pages soon.

/// syn builds every token tree from small allocations (identifiers, token
/// vectors), and glibc's malloc spent a fifth of a cold run on them;
/// mimalloc serves them from per-thread pages.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// mimalloc's index of the option `tune` sets (`mi_option_e` in its
/// `mimalloc.h`, version 3; stable: deprecated options keep their slots).
const MI_OPTION_PURGE_DELAY: libmimalloc_sys::mi_option_t = 15;

/// By default mimalloc (version 3) returns freed pages to the system only
/// after a second, and its arenas ask for transparent huge pages, so a
/// run that parses batch after batch peaked at more than twice glibc's
/// memory (tikv, 2 threads: 138 MiB against 57). Returning pages
/// after 5 ms, and small pages only (the crate's `no_thp` feature), keeps
/// the peak near glibc's and most of the speed (BENCHMARKS.md,
/// "Allocator").
pub fn tune() {
    // SAFETY: `mi_option_set` only records an option's value; it takes no
    // pointers and is called before any other thread exists.
    unsafe {
        libmimalloc_sys::mi_option_set(MI_OPTION_PURGE_DELAY, 5);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The index names the option it claims to: until `tune`
    /// runs, it holds the purge delay's default in mimalloc's `options.c`
    /// (1,000 ms), and after, the delay set.
    #[test]
    fn option_index_names_the_purge_delay() {
        // SAFETY: reading an option takes no pointers.
        let before = unsafe { libmimalloc_sys::mi_option_get(MI_OPTION_PURGE_DELAY) };
        tune();
        let after = unsafe { libmimalloc_sys::mi_option_get(MI_OPTION_PURGE_DELAY) };
        assert_eq!((before, after), (1000, 5));
    }
}
