//! The `civicrawl` binary: everything is in the library (`cli::main`).

fn main() -> std::process::ExitCode {
    civicrawl::cli::main()
}

/// mimalloc commits each arena's memory as it is used, not all at once, unless the operator
/// set `MIMALLOC_ARENA_EAGER_COMMIT` themselves: a crawl of 2,000 pages and its release then
/// peak at about 68 MiB of resident memory instead of 138, at no cost in time measured
/// (BENCHMARKS.md, issue 19). mimalloc settles its options when it starts, before `main`, and
/// reads the environment the process started with, so the option is set from the
/// executable's pre-initialisation array, which runs before any constructor (mimalloc's
/// included) and before Rust's runtime allocates.
#[cfg(target_os = "linux")]
mod allocator_options {
    use std::ffi::{c_char, c_int, c_long};

    /// `mi_option_arena_eager_commit` in mimalloc's `mi_option_t` (v3's `mimalloc.h`).
    const ARENA_EAGER_COMMIT: c_int = 4;

    unsafe extern "C" {
        fn getenv(name: *const c_char) -> *const c_char;
        fn mi_option_set(option: c_int, value: c_long);
    }

    extern "C" fn lazy_commit() {
        // SAFETY: `getenv` of a NUL-terminated static name, before any thread exists;
        // `mi_option_set` of the linked mimalloc with a valid option number only records the
        // value, read when mimalloc reserves its first arena.
        unsafe {
            if getenv(c"MIMALLOC_ARENA_EAGER_COMMIT".as_ptr()).is_null() {
                mi_option_set(ARENA_EAGER_COMMIT, 0);
            }
        }
    }

    #[used]
    #[unsafe(link_section = ".preinit_array")]
    static LAZY_COMMIT: extern "C" fn() = lazy_commit;
}
