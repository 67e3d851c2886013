//! Side-by-side comparison of weft, tokio and smol on the same workloads, with the same number
//! of worker threads, alternating runtimes round by round. Prints a markdown table of medians
//! and weft's ratio to the best peer. See `benches/README.md`.

mod cli;
mod cpu;
mod echo;
mod http;
mod hyper_service;
mod machine;
mod report;
mod subjects;
mod watchdog;
mod workload;

use cli::Options;
use report::{Row, Samples};
use std::time::Instant;
use subjects::WORKERS;
use subjects::smol::{Smol, SmolLocal};
use subjects::tokio::{Tokio, TokioLocal};
use subjects::weft::{Weft, WeftLocal};
use watchdog::Watchdog;
use workload::{LocalSubject, Subject, Workload};

fn main() {
    let opts = match Options::parse(std::env::args().skip(1)) {
        Ok(opts) => opts,
        Err(msg) => {
            eprintln!("{msg}");
            std::process::exit(if msg.starts_with("usage") { 0 } else { 2 });
        }
    };
    if let Some(name) = &opts.alone {
        run_alone(name, &opts);
        return;
    }
    let command: Vec<String> = std::env::args().collect();
    println!("# weft vs tokio vs smol\n");
    println!("- date: {}", machine::now_utc());
    println!(
        "- machine: {} CPUs, {}",
        machine::cpus(),
        machine::cpu_model()
    );
    println!("- source: {}", machine::source_revision());
    println!("- command: `{}`", command.join(" "));
    println!(
        "- {WORKERS} worker threads per runtime; {} warm-up + {} measured rounds per workload, \
         runtimes alternating, starting runtime rotated each round",
        opts.warmup, opts.rounds
    );
    if opts.workloads.iter().any(|w| w.is_local()) {
        println!(
            "- `local_*` rows: one thread each, the main one: weft `LocalRuntime`, tokio \
             current-thread runtime + `LocalSet`, smol `LocalExecutor` under \
             `futures_lite::future::block_on`; tasks made with `spawn_local`"
        );
    }
    println!();

    let subjects: [Box<dyn Subject>; 3] = [
        Box::new(Weft::new()),
        Box::new(Tokio::new()),
        Box::new(Smol::new()),
    ];
    // The one-thread runtimes of the `local_*` rows, driven by this thread.
    let locals: [Box<dyn LocalSubject>; 3] = [
        Box::new(WeftLocal::new()),
        Box::new(TokioLocal::new()),
        Box::new(SmolLocal::new()),
    ];
    let names: Vec<&'static str> = subjects.iter().map(|s| s.name()).collect();
    let local_names: Vec<&'static str> = locals.iter().map(|s| s.name()).collect();
    let watchdog = Watchdog::start();
    let rows: Vec<Row> = opts
        .workloads
        .iter()
        .map(|&w| {
            if w.is_local() {
                let run = |i: usize| w.run_local(locals[i].as_ref());
                measure(w, &local_names, run, &opts, &watchdog)
            } else {
                let run = |i: usize| w.run(subjects[i].as_ref());
                measure(w, &names, run, &opts, &watchdog)
            }
        })
        .collect();
    let http = if opts.http.is_empty() {
        None
    } else {
        measure_http(&subjects, &opts, &watchdog)
    };
    watchdog.disarm();
    print!("{}", report::render(&rows));
    if let Some(http) = http {
        print!("\n{}", report::render_http(&http, opts.http_seconds));
    }
}

/// `--alone`: the workloads on one runtime, `rounds` times each, and the HTTP rows once each,
/// reporting nothing but progress on stderr (what a syscall count or a profile wants).
fn run_alone(name: &str, opts: &Options) {
    let subject: Box<dyn Subject> = match name {
        "weft" => Box::new(Weft::new()),
        "tokio" => Box::new(Tokio::new()),
        _ => Box::new(Smol::new()),
    };
    let local: Box<dyn LocalSubject> = match name {
        "weft" => Box::new(WeftLocal::new()),
        "tokio" => Box::new(TokioLocal::new()),
        _ => Box::new(SmolLocal::new()),
    };
    for &w in &opts.workloads {
        for _ in 0..opts.rounds {
            if w.is_local() {
                w.run_local(local.as_ref());
            } else {
                w.run(subject.as_ref());
            }
        }
        eprintln!("{} on {name}: {} rounds", w.name(), opts.rounds);
    }
    if !opts.http.is_empty() && http::wrk_available() {
        for &row in &opts.http {
            let server = row.serve(subject.as_ref());
            let duration = std::time::Duration::from_secs(opts.http_seconds);
            let rps = http::run_wrk(server.addr, row.connections(), duration);
            eprintln!("{} on {name}: {rps:.0} requests/s", row.name());
        }
    }
}

/// The HTTP rows: for each, every runtime serves it while wrk drives it; one unmeasured 1 s
/// run each, then `http_rounds` measured runs each, alternating. `None` (and a note on stderr)
/// when wrk is not installed.
fn measure_http(
    subjects: &[Box<dyn Subject>],
    opts: &Options,
    watchdog: &Watchdog,
) -> Option<Vec<report::HttpResult>> {
    if !http::wrk_available() {
        eprintln!("HTTP rows: wrk not found, skipped (benches/run.sh installs it)");
        return None;
    }
    let mut results = Vec::new();
    for &row in &opts.http {
        let servers: Vec<http::Server> = subjects.iter().map(|s| row.serve(s.as_ref())).collect();
        let mut samples = vec![Vec::new(); subjects.len()];
        for round in 0..=opts.http_rounds {
            for k in 0..subjects.len() {
                let i = (round + k) % subjects.len();
                watchdog.arm(format!(
                    "{} on {} (round {round})",
                    row.name(),
                    subjects[i].name()
                ));
                let seconds = if round == 0 { 1 } else { opts.http_seconds };
                let duration = std::time::Duration::from_secs(seconds);
                let rps = http::run_wrk(servers[i].addr, row.connections(), duration);
                if round > 0 {
                    samples[i].push(rps);
                }
            }
        }
        drop(servers);
        eprintln!("{}: done", row.name());
        results.push(report::HttpResult {
            row,
            runtimes: subjects.iter().map(|s| s.name()).zip(samples).collect(),
        });
    }
    Some(results)
}

/// Runs `workload` on every subject (`run(i)` runs one iteration on the one called `names[i]`):
/// warm-up rounds, then measured rounds in which each subject runs once, the first one
/// rotating from round to round.
fn measure(
    workload: Workload,
    names: &[&'static str],
    run: impl Fn(usize),
    opts: &Options,
    watchdog: &Watchdog,
) -> Row {
    let mut samples: Vec<Samples> = names.iter().map(|_| Samples::default()).collect();
    for round in 0..opts.warmup + opts.rounds {
        let measured = round >= opts.warmup;
        for k in 0..names.len() {
            let i = (round + k) % names.len();
            watchdog.arm(format!(
                "{} on {} (round {round})",
                workload.name(),
                names[i]
            ));
            let cpu0 = cpu::process_cpu_time();
            let t0 = Instant::now();
            run(i);
            let wall = t0.elapsed();
            let cpu = cpu::process_cpu_time().saturating_sub(cpu0);
            if measured {
                samples[i].wall.push(wall);
                samples[i].cpu.push(cpu);
            }
        }
    }
    eprintln!("{}: done", workload.name());
    Row {
        workload,
        runtimes: names.iter().copied().zip(samples).collect(),
    }
}
