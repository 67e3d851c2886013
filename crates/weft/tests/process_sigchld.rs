//! The cases of `process.rs` with the SIGCHLD path forced on (as on a kernel that refuses
//! `pidfd_open`): every case first flips the switch, before it spawns anything, so every
//! child of this binary is reaped through SIGCHLD.

mod process_cases;

fn serial(case: fn()) {
    weft::process::force_sigchld_reaping();
    process_cases::serial(case);
}

#[test]
fn children_are_reaped_through_sigchld() {
    serial(|| {
        assert!(!weft::process::reaps_with_pidfd());
        let child = weft::process::Command::new("true").spawn().unwrap();
        assert!(!child.reaped_with_pidfd());
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
