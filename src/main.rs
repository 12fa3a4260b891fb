//! The `civicrawl` binary: everything is in the library (`cli::main`).

fn main() -> std::process::ExitCode {
    civicrawl::cli::main()
}
