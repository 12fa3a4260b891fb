fn main() -> std::process::ExitCode {
    civicrawl::cli::main()
}
