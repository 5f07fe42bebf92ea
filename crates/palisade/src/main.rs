//! `palisade`: the command-line tool. Thin by design: argument parsing and wiring;
//! everything a library user would want lives in the `palisade-*` crates.

mod audit;
mod bench;
mod cli;
mod db;
mod db_bench;
mod deps;
mod diff;
mod eval;
mod render;
mod rules_doc;
mod scan;
mod targets;
mod view;

use clap::Parser;
use std::process::ExitCode;

fn main() -> ExitCode {
    let cli = cli::Cli::parse();
    let result = match cli.command {
        cli::Command::Scan(args) => scan::run(args),
        cli::Command::Rules(args) => rules_doc::run(args),
        cli::Command::View(args) => view::run(args),
        cli::Command::Bench(args) => bench::run(args),
        cli::Command::Eval(args) => eval::run(args),
        cli::Command::Diff(args) => diff::run(args),
        cli::Command::Deps(args) => deps::run(args),
        cli::Command::Audit(args) => audit::run(args),
        cli::Command::Db(args) => db::run(args),
    };
    match result {
        Ok(code) => code,
        Err(err) => {
            eprintln!("palisade: error: {err:#}");
            ExitCode::from(2)
        }
    }
}
