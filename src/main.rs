//! The `minyi` binary: parses arguments, runs the command, maps the outcome to an exit code
//! (0 success, 1 nothing found, 2 error). A closed pipe (`minyi search … | head`) exits 0.

use std::process::ExitCode;

use clap::Parser;

mod cli;

fn main() -> ExitCode {
    let cli = cli::Cli::parse();
    match cli::run(cli) {
        Ok(code) => code,
        Err(err) => {
            // The library's `Error::Io` is transparent: its io::Error is not in the chain.
            let broken = |e: &std::io::Error| e.kind() == std::io::ErrorKind::BrokenPipe;
            if err.chain().any(|c| {
                c.downcast_ref::<std::io::Error>().is_some_and(broken)
                    || matches!(c.downcast_ref::<minyi::Error>(), Some(minyi::Error::Io(e)) if broken(e))
            }) {
                return ExitCode::SUCCESS;
            }
            eprintln!("error: {err:#}");
            ExitCode::from(2)
        }
    }
}
