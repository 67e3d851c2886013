//! Ends the process, saying which iteration hung, if one runs far too long.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// How long one iteration may take before the run is abandoned.
const LIMIT: Duration = Duration::from_secs(60);

/// What is running now: a label and when it started.
type Current = Arc<Mutex<Option<(String, Instant)>>>;

/// A background thread that watches the iteration in progress.
#[derive(Debug)]
pub(crate) struct Watchdog {
    current: Current,
}

impl Watchdog {
    /// Starts the watching thread.
    pub(crate) fn start() -> Watchdog {
        let current: Current = Arc::default();
        let watched = current.clone();
        std::thread::Builder::new()
            .name("bench-watchdog".to_owned())
            .spawn(move || {
                loop {
                    std::thread::sleep(Duration::from_secs(1));
                    let guard = watched.lock().unwrap_or_else(|e| e.into_inner());
                    if let Some((label, since)) = guard.as_ref()
                        && since.elapsed() > LIMIT
                    {
                        eprintln!("weft-benches: {label} has run for over {LIMIT:?}; giving up");
                        std::process::exit(2);
                    }
                }
            })
            .expect("spawn watchdog thread");
        Watchdog { current }
    }

    /// Marks the start of the iteration called `label`.
    pub(crate) fn arm(&self, label: String) {
        *self.current.lock().unwrap_or_else(|e| e.into_inner()) = Some((label, Instant::now()));
    }

    /// Marks the end of the iteration in progress.
    pub(crate) fn disarm(&self) {
        *self.current.lock().unwrap_or_else(|e| e.into_inner()) = None;
    }
}
