//! `pollhttp`: a curl-style command-line client on pollhttp's poll API, and `pollhttp demo`,
//! the Godot tutorial's poll loop against a built-in server.
#![forbid(unsafe_code)]

mod args;
mod clock;
mod demo;
mod failure;
mod fetch;
mod godot_fmt;
mod output;
mod plan;
mod progress;
mod proxy;

use args::{Cli, Command};
use clap::Parser;
use std::process::ExitCode;

fn main() -> ExitCode {
    let cli = Cli::parse();
    let quiet = cli.command.is_none() && cli.fetch.silent && !cli.fetch.show_error;
    let result = match &cli.command {
        Some(Command::Demo(demo_args)) => demo::run(demo_args),
        None => fetch::run(&cli.fetch),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(failure) => {
            if !quiet {
                eprintln!("pollhttp: {failure}");
            }
            ExitCode::from(failure.code)
        }
    }
}
