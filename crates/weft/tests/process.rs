//! Child processes, reaped through a pidfd per child (Linux 5.3+); `process_sigchld.rs` runs
//! the same cases with the SIGCHLD path forced. The cases are in `process_cases/`.

mod process_cases;

use process_cases::serial;

/// Whether this kernel gives us pidfds (a seccomp filter may refuse them).
fn kernel_has_pidfd() -> bool {
    // SAFETY: pidfd_open of our own pid; the descriptor is closed right away.
    let fd = unsafe { libc::syscall(libc::SYS_pidfd_open, std::process::id() as libc::pid_t, 0) };
    if fd < 0 {
        return false;
    }
    // SAFETY: closing the descriptor just opened, owned by nobody else.
    unsafe { libc::close(fd as i32) };
    true
}

#[test]
fn children_are_reaped_through_a_pidfd() {
    serial(|| {
        let child = weft::process::Command::new("true").spawn().unwrap();
        assert_eq!(child.reaped_with_pidfd(), kernel_has_pidfd());
    });
}

macro_rules! cases {
    ($($name:ident),* $(,)?) => {
        $(
            #[test]
            fn $name() {
                serial(process_cases::$name);
            }
        )*
    };
}

cases!(
    echo_output,
    exit_codes,
    cat_round_trip_of_a_mebibyte,
    a_missing_program_is_not_found,
    kill_ends_a_long_sleep,
    wait_twice_gives_the_same_status,
    try_wait_sees_a_running_then_an_exited_child,
    a_dropped_child_is_reaped,
    kill_on_drop_kills_the_child,
    a_runtime_close_kills_only_kill_on_drop_children,
    a_child_outlives_the_runtime_that_spawned_it,
    children_under_another_executor,
    many_children_at_once,
    no_descriptor_leaks,
);
