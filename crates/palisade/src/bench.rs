//! `palisade bench DIR`: throughput of unpacking and of the whole scan, next to plain
//! decompression of the same files measured in the same run, single-threaded, with
//! every file already in memory so that disk speed does not count.

use crate::cli::{BenchArgs, DataFormat};
use crate::scan::collect_files;
use anyhow::{Context, Result};
use palisade_archive::{Kind, Limits, sniff, unpack_bytes};
use palisade_detect::{Engine, ScanOptions};
use serde::Serialize;
use std::io::{self, Cursor, Read};
use std::process::ExitCode;
use std::time::{Duration, Instant};

#[derive(Serialize)]
struct Measurement {
    name: &'static str,
    seconds: f64,
    packages_per_second: f64,
    /// Uncompressed megabytes (10^6 bytes) of the outer streams per second.
    megabytes_per_second: f64,
    /// Time relative to plain decompression.
    relative_to_baseline: f64,
}

#[derive(Serialize)]
struct BenchReport {
    files: usize,
    compressed_bytes: u64,
    uncompressed_bytes: u64,
    unpacked_bytes_with_nested: u64,
    repeat: u32,
    measurements: Vec<Measurement>,
}

pub fn run(args: BenchArgs) -> Result<ExitCode> {
    let paths = collect_files(&args.dir)?;
    anyhow::ensure!(
        !paths.is_empty(),
        "{}: no files to measure",
        args.dir.display()
    );
    let mut corpus = Vec::with_capacity(paths.len());
    for path in &paths {
        let data =
            std::fs::read(path).with_context(|| format!("{}: cannot read", path.display()))?;
        corpus.push((path.display().to_string(), data));
    }
    let compressed: u64 = corpus.iter().map(|(_, d)| d.len() as u64).sum();
    let repeat = args.repeat.max(1);
    let limits = Limits::default();
    let engine = Engine::new(ScanOptions {
        limits: limits.clone(),
        ..ScanOptions::default()
    })?;

    let mut uncompressed = 0;
    let baseline = best_of(repeat, || {
        uncompressed = corpus.iter().map(|(_, d)| plain_decompress(d)).sum();
    });
    let mut nested = 0;
    let unpack = best_of(repeat, || {
        nested = corpus
            .iter()
            .map(|(name, d)| unpack_bytes(name, d, &limits).unpacked_bytes)
            .sum();
    });
    let scan = best_of(repeat, || {
        for (name, data) in &corpus {
            std::hint::black_box(engine.scan_bytes(name, data));
        }
    });

    let n = corpus.len() as f64;
    let measure = |name, t: Duration| Measurement {
        name,
        seconds: t.as_secs_f64(),
        packages_per_second: n / t.as_secs_f64(),
        megabytes_per_second: uncompressed as f64 / 1e6 / t.as_secs_f64(),
        relative_to_baseline: t.as_secs_f64() / baseline.as_secs_f64(),
    };
    let report = BenchReport {
        files: corpus.len(),
        compressed_bytes: compressed,
        uncompressed_bytes: uncompressed,
        unpacked_bytes_with_nested: nested,
        repeat,
        measurements: vec![
            measure("plain decompression (baseline)", baseline),
            measure("palisade unpack", unpack),
            measure("palisade scan (unpack + identify + analyse)", scan),
        ],
    };
    match args.format {
        DataFormat::Json => println!("{}", serde_json::to_string_pretty(&report)?),
        DataFormat::Text => print_text(&report),
    }
    Ok(ExitCode::SUCCESS)
}

fn best_of(repeat: u32, mut f: impl FnMut()) -> Duration {
    (0..repeat)
        .map(|_| {
            let t = Instant::now();
            f();
            t.elapsed()
        })
        .min()
        .unwrap_or_default()
}

/// Decompresses the outer layer only, into nothing: what any unpacker must at least pay.
fn plain_decompress(data: &[u8]) -> u64 {
    match sniff(data) {
        Kind::Zip => {
            let Ok(mut archive) = zip::ZipArchive::new(Cursor::new(data)) else {
                return 0;
            };
            (0..archive.len())
                .filter_map(|i| {
                    let mut file = archive.by_index(i).ok()?;
                    io::copy(&mut file, &mut io::sink()).ok()
                })
                .sum()
        }
        Kind::Compressed(palisade_archive::Compression::Gzip) => {
            let mut decoder = flate2::read::MultiGzDecoder::new(data);
            io::copy(&mut decoder, &mut io::sink()).unwrap_or(0)
        }
        _ => {
            let mut reader = data;
            io::copy(&mut reader.by_ref(), &mut io::sink()).unwrap_or(0)
        }
    }
}

fn print_text(r: &BenchReport) {
    println!(
        "{} files: {:.1} MB compressed, {:.1} MB uncompressed ({:.1} MB with nested archives opened); best of {}",
        r.files,
        r.compressed_bytes as f64 / 1e6,
        r.uncompressed_bytes as f64 / 1e6,
        r.unpacked_bytes_with_nested as f64 / 1e6,
        r.repeat
    );
    println!(
        "{:<46} {:>9} {:>12} {:>10} {:>12}",
        "measurement (1 thread)", "seconds", "packages/s", "MB/s", "vs baseline"
    );
    for m in &r.measurements {
        println!(
            "{:<46} {:>9.3} {:>12.1} {:>10.1} {:>11.2}x",
            m.name,
            m.seconds,
            m.packages_per_second,
            m.megabytes_per_second,
            m.relative_to_baseline
        );
    }
}
