//! The `datafast` binary: runs the command line and exits with its code.

fn main() -> std::process::ExitCode {
    std::process::ExitCode::from(datafast_cli::main_with_args(std::env::args_os()))
}
