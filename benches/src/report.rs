//! Medians and the markdown tables printed at the end.

use crate::workload::Workload;
use std::time::Duration;

/// Every measured iteration of one workload on one runtime.
#[derive(Debug, Default)]
pub(crate) struct Samples {
    /// Wall-clock time of each iteration.
    pub(crate) wall: Vec<Duration>,
    /// Process CPU time (all threads) of each iteration.
    pub(crate) cpu: Vec<Duration>,
}

/// The samples of one workload, one entry per runtime in table column order.
#[derive(Debug)]
pub(crate) struct Row {
    /// The workload measured.
    pub(crate) workload: Workload,
    /// `(runtime name, samples)`; weft first.
    pub(crate) runtimes: Vec<(&'static str, Samples)>,
}

/// The median of `samples` (the mean of the middle two for an even count).
pub(crate) fn median(samples: &[Duration]) -> Duration {
    let mut s = samples.to_vec();
    s.sort_unstable();
    match s.len() {
        0 => Duration::ZERO,
        n if n % 2 == 1 => s[n / 2],
        n => (s[n / 2 - 1] + s[n / 2]) / 2,
    }
}

/// Milliseconds with three decimals.
fn ms(d: Duration) -> String {
    format!("{:.3}", d.as_secs_f64() * 1e3)
}

/// `a / b`, with two decimals.
fn ratio(a: Duration, b: Duration) -> String {
    if b.is_zero() {
        return "n/a".to_owned();
    }
    format!("{:.2}", a.as_secs_f64() / b.as_secs_f64())
}

/// weft's median divided by the best peer's, for the samples picked by `pick`.
fn weft_vs_best(row: &Row, pick: fn(&Samples) -> &[Duration]) -> String {
    let mut medians = row.runtimes.iter().map(|(_, s)| median(pick(s)));
    let weft = medians.next().unwrap_or_default();
    let best = medians.min().unwrap_or_default();
    ratio(weft, best)
}

/// Renders one table: the median of `pick` for each runtime, then weft / best peer.
fn table(rows: &[Row], what: &str, pick: fn(&Samples) -> &[Duration]) -> String {
    let Some(first) = rows.first() else {
        return String::new();
    };
    let names: Vec<&str> = first.runtimes.iter().map(|(n, _)| *n).collect();
    let mut out = format!("| workload ({what}, median ms) |");
    for n in &names {
        out += &format!(" {n} |");
    }
    out += " weft / best peer |\n|---|";
    out += &"---:|".repeat(names.len() + 1);
    out.push('\n');
    for row in rows {
        out += &format!("| {} |", row.workload.name());
        for (_, s) in &row.runtimes {
            out += &format!(" {} |", ms(median(pick(s))));
        }
        out += &format!(" {} |\n", weft_vs_best(row, pick));
    }
    out
}

/// Renders the wall-clock table, the CPU table, and what each workload does.
pub(crate) fn render(rows: &[Row]) -> String {
    if rows.is_empty() {
        return String::new();
    }
    let mut out = table(rows, "wall", |s| &s.wall);
    out += "\n";
    out += &table(rows, "process CPU", |s| &s.cpu);
    out += "\nweft / best peer = weft median / min(tokio median, smol median); below 1.00 \
            means weft is faster. CPU is user + system time of the whole process during the \
            iteration.\n\n";
    for row in rows {
        out += &format!("- `{}`: {}\n", row.workload.name(), row.workload.describe());
    }
    out
}

/// One HTTP row's measurements: requests per second per run, per runtime (weft first).
pub(crate) struct HttpResult {
    pub(crate) row: crate::http::HttpRow,
    pub(crate) runtimes: Vec<(&'static str, Vec<f64>)>,
}

/// Renders the HTTP rows: median requests per second under wrk, and weft's time per request
/// relative to the best peer's (best peer's requests/s divided by weft's), so that, as in the
/// other tables, below 1.00 means weft is faster.
pub(crate) fn render_http(results: &[HttpResult], seconds: u64) -> String {
    let Some(first) = results.first() else {
        return String::new();
    };
    let mut out = "| workload (wrk, median requests/s) |".to_owned();
    for (name, _) in &first.runtimes {
        out += &format!(" {name} |");
    }
    out += " weft / best peer (time per request) |\n|---|";
    out += &"---:|".repeat(first.runtimes.len() + 1);
    out += "\n";
    for result in results {
        let medians: Vec<f64> = result.runtimes.iter().map(|(_, s)| median_f64(s)).collect();
        out += &format!("| {} |", result.row.name());
        for m in &medians {
            out += &format!(" {m:.0} |");
        }
        let weft = medians.first().copied().unwrap_or(0.0);
        let best = medians.iter().skip(1).copied().fold(0.0, f64::max);
        if weft > 0.0 {
            out += &format!(" {:.2} |\n", best / weft);
        } else {
            out += " n/a |\n";
        }
    }
    out += "\n";
    for result in results {
        let row = result.row;
        let server = match row {
            crate::http::HttpRow::Hello => {
                "HTTP/1.1 hello server (keep-alive, the server of examples/http_hello.rs)"
            }
            crate::http::HttpRow::Hyper | crate::http::HttpRow::Hyper256 => {
                "hyper 1.x HTTP/1 hello server, with its own glue (weft::hyper; hyper-util's \
                 TokioIo and TokioTimer; smol-hyper's FuturesIo and SmolTimer)"
            }
        };
        out += &format!(
            "- `{}`: `wrk -t1 -c{} -d{seconds}s` against each runtime's {server} on loopback; \
             wrk runs in its own process on the same 2 cores\n",
            row.name(),
            row.connections()
        );
    }
    out
}

/// The median of `samples` (0 when empty).
fn median_f64(samples: &[f64]) -> f64 {
    let mut s = samples.to_vec();
    s.sort_unstable_by(f64::total_cmp);
    match s.len() {
        0 => 0.0,
        n if n % 2 == 1 => s[n / 2],
        n => (s[n / 2 - 1] + s[n / 2]) / 2.0,
    }
}

#[cfg(test)]
mod tests {
    use super::median;
    use std::time::Duration;

    #[test]
    fn median_odd_and_even() {
        let ms = Duration::from_millis;
        assert_eq!(median(&[ms(3), ms(1), ms(2)]), ms(2));
        assert_eq!(
            median(&[ms(4), ms(1), ms(2), ms(3)]),
            Duration::from_micros(2500)
        );
        assert_eq!(median(&[]), Duration::ZERO);
    }
}
