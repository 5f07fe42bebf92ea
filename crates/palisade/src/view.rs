//! `palisade view`: compiled code as the rules read it, so that evidence quoted from a
//! binary (`in Foo.Bar::Run: System.Net.WebClient.DownloadFile(...)`) can be checked.

use crate::cli::ViewArgs;
use anyhow::{Context, Result, bail};
use palisade_archive::{Limits, unpack_dir, unpack_file};
use std::io::Write;
use std::process::ExitCode;

pub fn run(args: ViewArgs) -> Result<ExitCode> {
    let limits = Limits::default();
    let target = &args.target;
    let unpacked = if target.is_dir() {
        unpack_dir(target, &limits)
    } else {
        unpack_file(target, &limits)
            .with_context(|| format!("{}: cannot read", target.display()))?
            .1
    };
    let compiled: Vec<_> = unpacked
        .files
        .iter()
        .filter(|f| palisade_compiled::format_of(&f.data).is_some())
        .collect();
    let file = match (&args.member, compiled.as_slice()) {
        (Some(member), _) => unpacked
            .files
            .iter()
            .find(|f| &f.path == member)
            .with_context(|| format!("{}: holds no file {member}", target.display()))?,
        // A lone compiled file is viewed without naming it.
        (None, [only]) if unpacked.files.len() == 1 => only,
        (None, []) => bail!(
            "{}: holds no .NET assembly, JVM class file or Python bytecode",
            target.display()
        ),
        (None, files) => {
            let mut out = std::io::stdout().lock();
            for file in files {
                writeln!(out, "{}", file.path)?;
            }
            return Ok(ExitCode::SUCCESS);
        }
    };
    let place = format!("{}: {}", target.display(), file.path);
    match palisade_compiled::read(&file.data) {
        Ok(Some(view)) => {
            std::io::stdout().lock().write_all(view.text.as_bytes())?;
            if view.truncated {
                eprintln!(
                    "palisade: {place}: the view stops at {} bytes",
                    palisade_compiled::MAX_VIEW
                );
            }
            Ok(ExitCode::SUCCESS)
        }
        Ok(None) => bail!("{place}: not a .NET assembly, JVM class file or Python bytecode"),
        Err(error) => bail!("{place}: {error}"),
    }
}
