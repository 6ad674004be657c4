//! The `minyi` binary: parses arguments, runs the command, maps the outcome to an exit code
//! (0 success, 1 nothing found, 2 error). A closed pipe (`minyi search … | head`) exits 0.

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    let cli = minyi::cli::Cli::parse();
    match minyi::cli::run(cli) {
        Ok(code) => code,
        Err(err) => {
            if err.chain().any(|c| {
                c.downcast_ref::<std::io::Error>()
                    .is_some_and(|e| e.kind() == std::io::ErrorKind::BrokenPipe)
            }) {
                return ExitCode::SUCCESS;
            }
            eprintln!("error: {err:#}");
            ExitCode::from(2)
        }
    }
}
