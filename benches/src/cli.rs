//! Command-line options.

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
}

/// The text `--help` prints.
const USAGE: &str = "\
usage: weft-benches [--rounds N] [--warmup N] [--only NAME[,NAME...]]...

  --rounds N   measured rounds per workload, each running weft, tokio and smol once (default 30)
  --warmup N   unmeasured rounds per workload first (default 3)
  --only NAME  run only these workloads (repeatable, or comma-separated)

workloads: spawn_many_task, spawn_many_outside, yield_many, ping_pong, chained_spawn";

impl Options {
    /// Parses `args` (without the program name). `Err` holds the message to print: usage for
    /// `--help`, otherwise what was wrong.
    pub(crate) fn parse(args: impl IntoIterator<Item = String>) -> Result<Options, String> {
        let mut rounds = 30;
        let mut warmup = 3;
        let mut only: Vec<Workload> = Vec::new();
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
                        let w = Workload::from_name(name)
                            .ok_or_else(|| format!("unknown workload {name:?}\n\n{USAGE}"))?;
                        if !only.contains(&w) {
                            only.push(w);
                        }
                    }
                }
                "-h" | "--help" => return Err(USAGE.to_owned()),
                _ => return Err(format!("unknown argument {flag:?}\n\n{USAGE}")),
            }
        }
        if rounds == 0 {
            return Err("--rounds must be at least 1".to_owned());
        }
        let workloads = Workload::ALL
            .into_iter()
            .filter(|w| only.is_empty() || only.contains(w))
            .collect();
        Ok(Options {
            rounds,
            warmup,
            workloads,
        })
    }
}

/// Parses the value of `flag` as a count.
fn number(flag: &str, value: &str) -> Result<usize, String> {
    value
        .parse()
        .map_err(|_| format!("{flag} expects a whole number, got {value:?}"))
}
