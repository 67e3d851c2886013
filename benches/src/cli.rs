//! Command-line options.

use crate::http::HttpRow;
use crate::workload::Workload;

/// What to run, from the command line.
#[derive(Debug)]
pub(crate) struct Options {
    /// Measured rounds per workload (each round runs every runtime once).
    pub(crate) rounds: usize,
    /// Unmeasured rounds per workload before the measured ones.
    pub(crate) warmup: usize,
    /// The workloads to run, in table order.
    pub(crate) workloads: Vec<Workload>,
    /// The HTTP rows to run (under wrk), in table order.
    pub(crate) http: Vec<HttpRow>,
    /// Measured wrk runs per runtime for each HTTP row.
    pub(crate) http_rounds: usize,
    /// Seconds each wrk run lasts.
    pub(crate) http_seconds: u64,
    /// Run the workloads on this runtime only, with no report (for `strace -c`, `perf`).
    pub(crate) alone: Option<String>,
}

/// The text `--help` prints.
const USAGE: &str = "\
usage: weft-benches [--rounds N] [--warmup N] [--only NAME[,NAME...]]... [--http-rounds N]
                    [--http-seconds S]

  --rounds N        measured rounds per workload, each running weft, tokio and smol once
                    (default 30)
  --warmup N        unmeasured rounds per workload first (default 3)
  --only NAME       run only these workloads (repeatable, or comma-separated)
  --http-rounds N   measured wrk runs per runtime for each HTTP row (default 3)
  --http-seconds S  length of each wrk run (default 5, as `wrk -t1 -c50 -d5s`)
  --alone NAME      run the workloads `--rounds` times on one runtime (weft, tokio or smol)
                    and the HTTP rows once each, with no report: for strace -c or perf

workloads: spawn_many_task, spawn_many_outside, spawn_many_remote_busy, yield_many, ping_pong, chained_spawn,
call_soon, oneshot_round_trip, blocking_many, blocking_mixed, timeout_not_firing, sleep_many,
timer_insert_cancel, tcp_echo, mutex_contended, semaphore_acquire, mpsc_bounded, mpsc_unbounded,
broadcast_fanout, mpsc_round_trip, queue_join, select_two_channels, process_spawn_wait,
process_cat_pipe, local_spawn_many, local_yield_many, local_ping_pong, local_chained_spawn,
and the HTTP rows (need wrk: benches/run.sh installs it): http_hello, hyper_hello,
hyper_hello_c256";

impl Options {
    /// Parses `args` (without the program name). `Err` holds the message to print: usage for
    /// `--help`, otherwise what was wrong.
    pub(crate) fn parse(args: impl IntoIterator<Item = String>) -> Result<Options, String> {
        let mut rounds = 30;
        let mut warmup = 3;
        let mut only: Vec<Workload> = Vec::new();
        let mut only_http: Vec<HttpRow> = Vec::new();
        let mut http_rounds = 3;
        let mut http_seconds = 5;
        let mut alone = None;
        let mut args = args.into_iter();
        while let Some(arg) = args.next() {
            let (flag, inline) = match arg.split_once('=') {
                Some((f, v)) => (f.to_owned(), Some(v.to_owned())),
                None => (arg, None),
            };
            let mut value = || {
                inline
                    .clone()
                    .or_else(|| args.next())
                    .ok_or_else(|| format!("{flag} needs a value\n\n{USAGE}"))
            };
            match flag.as_str() {
                "--rounds" => rounds = number(&flag, &value()?)?,
                "--warmup" => warmup = number(&flag, &value()?)?,
                "--only" => {
                    for name in value()?.split(',').filter(|n| !n.is_empty()) {
                        if let Some(row) = HttpRow::from_name(name) {
                            if !only_http.contains(&row) {
                                only_http.push(row);
                            }
                            continue;
                        }
                        let w = Workload::from_name(name)
                            .ok_or_else(|| format!("unknown workload {name:?}\n\n{USAGE}"))?;
                        if !only.contains(&w) {
                            only.push(w);
                        }
                    }
                }
                "--http-rounds" => http_rounds = number(&flag, &value()?)?,
                "--http-seconds" => http_seconds = number(&flag, &value()?)? as u64,
                "--alone" => {
                    let name = value()?;
                    if !["weft", "tokio", "smol"].contains(&name.as_str()) {
                        return Err(format!("--alone takes weft, tokio or smol, not {name:?}"));
                    }
                    alone = Some(name);
                }
                "-h" | "--help" => return Err(USAGE.to_owned()),
                _ => return Err(format!("unknown argument {flag:?}\n\n{USAGE}")),
            }
        }
        if rounds == 0 {
            return Err("--rounds must be at least 1".to_owned());
        }
        if http_seconds == 0 {
            return Err("--http-seconds must be at least 1".to_owned());
        }
        let everything = only.is_empty() && only_http.is_empty();
        let workloads = Workload::ALL
            .into_iter()
            .filter(|w| everything || only.contains(w))
            .collect();
        Ok(Options {
            rounds,
            warmup,
            workloads,
            http: if http_rounds == 0 {
                Vec::new()
            } else {
                HttpRow::ALL
                    .into_iter()
                    .filter(|r| everything || only_http.contains(r))
                    .collect()
            },
            http_rounds,
            http_seconds,
            alone,
        })
    }
}

/// Parses the value of `flag` as a count.
fn number(flag: &str, value: &str) -> Result<usize, String> {
    value
        .parse()
        .map_err(|_| format!("{flag} expects a whole number, got {value:?}"))
}
