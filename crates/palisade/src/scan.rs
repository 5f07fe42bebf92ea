//! `palisade scan`: one report per target, in parallel, streamed to the renderer.

use crate::cli::{FailOn, Format, ScanArgs};
use crate::render::{Renderer, Summary, write_summary};
use crate::targets::{Resolved, Resolver, previous_version};
use anyhow::{Context, Result};
use indicatif::{ProgressBar, ProgressStyle};
use palisade_core::{ReleaseInfo, Report, Verdict};
use palisade_detect::{Engine, ScanContext, ScanOptions};
use palisade_registry::PackageSpec;
use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::mpsc;
use std::time::Instant;

pub fn run(args: ScanArgs) -> Result<ExitCode> {
    let started = Instant::now();
    let targets: Vec<String> = match &args.batch {
        Some(dir) => collect_files(dir)?
            .into_iter()
            .map(|p| p.display().to_string())
            .collect(),
        None => args.targets.clone(),
    };
    let resolver = Resolver::new(&args.registry);
    let many = args.batch.is_some() || targets.len() > 1;
    let engine = Engine::new(ScanOptions {
        limits: args.limits.to_limits(),
        rule_dirs: args.rule_dirs.clone(),
    })?;
    let out = open_output(args.output.as_deref(), args.format)?;
    let mut renderer = Renderer::new(out, args.format, many, engine.rules());
    let progress = progress_bar(targets.len() as u64, many && !args.quiet);
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(args.jobs.unwrap_or(0))
        .build()
        .context("cannot start the worker threads")?;

    let (sender, receiver) = mpsc::channel::<Report>();
    let mut summary = Summary::default();
    let mut worst = Verdict::Clean;
    let mut any_error = false;
    std::thread::scope(|scope| -> Result<()> {
        let engine = &engine;
        let targets = &targets;
        let resolver = &resolver;
        let diff_previous = args.diff_previous;
        scope.spawn(move || {
            pool.scope(|s| {
                for target in targets {
                    let sender = sender.clone();
                    s.spawn(move |_| {
                        let report = scan_target(engine, resolver, target, diff_previous);
                        let _ = sender.send(report);
                    });
                }
            });
        });
        for report in receiver {
            progress.inc(1);
            summary.add(&report);
            match report.verdict {
                Verdict::Error => any_error = true,
                verdict => worst = worst.max(verdict),
            }
            progress.suspend(|| renderer.report(report))?;
        }
        Ok(())
    })?;
    progress.finish_and_clear();
    summary.elapsed = started.elapsed();
    renderer.finish(&summary)?;
    // The machine formats keep standard output clean; the summary goes to the terminal.
    if many && args.format != Format::Human && !args.quiet {
        let _ = write_summary(&mut anstream::stderr(), &summary);
    }

    let failed = match args.fail_on {
        FailOn::Never => false,
        FailOn::Suspicious => worst >= Verdict::Suspicious,
        FailOn::Malicious => worst >= Verdict::Malicious,
    };
    Ok(if failed {
        ExitCode::from(1)
    } else if any_error {
        ExitCode::from(2)
    } else {
        ExitCode::SUCCESS
    })
}

/// Scans one target; a package named from a registry is fetched first, and a failure to
/// fetch it is that target's error report, never the end of the batch.
fn scan_target(engine: &Engine, resolver: &Resolver, target: &str, diff_previous: bool) -> Report {
    let resolved = match resolver.resolve(target) {
        Ok(resolved) => resolved,
        Err(err) => return Report::error(target, format!("{err:#}")),
    };
    // The previous release serves twice: its registry record for the publisher
    // checks and, with --diff-previous, its artifact for the diff; fetch it once.
    let mut previous: Option<Result<Resolved>> = None;
    let mut previous_release: Option<ReleaseInfo> = None;
    if let (Some(metadata), Some(spec)) = (&resolved.metadata, &resolved.spec) {
        let before = spec
            .version
            .as_deref()
            .and_then(|v| previous_version(metadata, v));
        if diff_previous {
            let fetched = match before {
                Some(version) => {
                    let old = PackageSpec {
                        version: Some(version),
                        ..spec.clone()
                    };
                    resolver.fetch(&old.to_string(), old)
                }
                None => Err(anyhow::anyhow!("no earlier version is published")),
            };
            previous_release = fetched
                .as_ref()
                .ok()
                .and_then(|old| old.metadata.as_ref()?.release.clone());
            previous = Some(fetched);
        } else if let Some(version) = before {
            previous_release = release_record(resolver, spec, &version);
        }
    }
    let mut report = engine.scan_path_in(
        &resolved.path,
        ScanContext {
            metadata: resolved.metadata.as_ref(),
            previous_release: previous_release.as_ref(),
            now: palisade_core::time::now_unix(),
        },
    );
    report.target = resolved.label.clone();
    report.origin = resolved.origin.clone();
    let diff = match previous {
        Some(Ok(old)) => Some(crate::diff::compare(engine, &old, &resolved)),
        Some(Err(err)) => Some(Err(err)),
        None => None,
    };
    match diff.map(|d| d.and_then(|d| Ok(serde_json::to_value(d)?))) {
        Some(Ok(value)) => report.diff = Some(value),
        Some(Err(err)) => report
            .errors
            .push(format!("{target}: --diff-previous: {err:#}")),
        None => {}
    }
    report
}

/// The registry's record of one release, for the publisher comparison; None when the
/// registry cannot say.
fn release_record(resolver: &Resolver, spec: &PackageSpec, version: &str) -> Option<ReleaseInfo> {
    let registries = resolver.fetcher().ok()?.registries();
    registries
        .registry(spec.ecosystem)
        .metadata(&spec.name, Some(version))
        .ok()?
        .release
}

/// Every regular file under `dir`, sorted; links are not followed.
pub(crate) fn collect_files(dir: &Path) -> Result<Vec<PathBuf>> {
    let meta = std::fs::metadata(dir).with_context(|| format!("{}: cannot read", dir.display()))?;
    anyhow::ensure!(meta.is_dir(), "{}: --batch needs a folder", dir.display());
    let mut files = Vec::new();
    let mut pending = vec![dir.to_path_buf()];
    while let Some(folder) = pending.pop() {
        let entries = std::fs::read_dir(&folder)
            .with_context(|| format!("{}: cannot list folder", folder.display()))?;
        for entry in entries {
            let entry =
                entry.with_context(|| format!("{}: cannot list folder", folder.display()))?;
            let file_type = entry.file_type()?;
            if file_type.is_dir() {
                pending.push(entry.path());
            } else if file_type.is_file() {
                files.push(entry.path());
            }
        }
    }
    files.sort();
    Ok(files)
}

fn open_output(path: Option<&Path>, format: Format) -> Result<Box<dyn Write + Send>> {
    let (raw, terminal): (Box<dyn Write + Send>, bool) = match path {
        Some(path) => {
            let file = std::fs::File::create(path)
                .with_context(|| format!("{}: cannot create the output file", path.display()))?;
            (Box::new(std::io::BufWriter::new(file)), false)
        }
        None => (Box::new(std::io::stdout()), std::io::stdout().is_terminal()),
    };
    let color = format == Format::Human && terminal && std::env::var_os("NO_COLOR").is_none();
    let choice = if color {
        anstream::ColorChoice::Always
    } else {
        anstream::ColorChoice::Never
    };
    Ok(Box::new(anstream::AutoStream::new(raw, choice)))
}

fn progress_bar(len: u64, wanted: bool) -> ProgressBar {
    if !wanted || !std::io::stderr().is_terminal() {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::new(len);
    bar.set_style(
        ProgressStyle::with_template("{bar:40} {pos}/{len} packages  {per_sec}  eta {eta}")
            .unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    bar
}
