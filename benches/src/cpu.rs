//! CPU time used by the whole process (all threads, user + system).

use std::time::Duration;

/// CPU time the process has used so far, from `clock_gettime(CLOCK_PROCESS_CPUTIME_ID)`.
///
/// It counts every thread, so it includes the idle workers of the runtimes not being measured
/// (they are parked, which costs nothing, unless one is still spinning from the previous run).
pub(crate) fn process_cpu_time() -> Duration {
    let mut ts = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: `ts` is a valid, writable timespec that outlives the call; the clock id is a
    // constant the kernel knows.
    let rc = unsafe { libc::clock_gettime(libc::CLOCK_PROCESS_CPUTIME_ID, &mut ts) };
    assert_eq!(rc, 0, "clock_gettime(CLOCK_PROCESS_CPUTIME_ID) failed");
    let secs = u64::try_from(ts.tv_sec).unwrap_or(0);
    let nanos = u32::try_from(ts.tv_nsec).unwrap_or(0);
    Duration::new(secs, nanos)
}
