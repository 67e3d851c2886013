//! The process builder: [`Command`], std's `Command` plus what an async runtime adds
//! (`kill_on_drop`, and `spawn` / `output` / `status` that wait without blocking).

use super::child::Child;
use std::ffi::OsStr;
use std::io;
use std::path::Path;
use std::process::{ExitStatus, Output, Stdio};

/// A process builder with std's shape (asyncio: the arguments of `create_subprocess_exec`).
///
/// ```
/// use weft::process::Command;
///
/// weft::run(async {
///     let out = Command::new("sh").args(["-c", "echo $GREETING"]).env("GREETING", "hi").output().await?;
///     assert!(out.status.success());
///     assert_eq!(out.stdout, b"hi\n");
///     Ok::<(), std::io::Error>(())
/// })?;
/// # Ok::<(), std::io::Error>(())
/// ```
#[derive(Debug)]
pub struct Command {
    std: std::process::Command,
    kill_on_drop: bool,
    /// Which of stdin, stdout, stderr the caller chose (the others get `output`'s defaults).
    stdin_set: bool,
    stdout_set: bool,
    stderr_set: bool,
}

impl Command {
    /// A command that runs `program` (looked up in `PATH` unless it contains a `/`), with no
    /// arguments, the parent's environment and working directory, and inherited standard
    /// streams.
    pub fn new(program: impl AsRef<OsStr>) -> Command {
        Command::from(std::process::Command::new(program))
    }

    /// Adds an argument.
    pub fn arg(&mut self, arg: impl AsRef<OsStr>) -> &mut Command {
        self.std.arg(arg);
        self
    }

    /// Adds arguments.
    pub fn args<I, S>(&mut self, args: I) -> &mut Command
    where
        I: IntoIterator<Item = S>,
        S: AsRef<OsStr>,
    {
        self.std.args(args);
        self
    }

    /// Sets an environment variable for the child.
    pub fn env(&mut self, key: impl AsRef<OsStr>, val: impl AsRef<OsStr>) -> &mut Command {
        self.std.env(key, val);
        self
    }

    /// Sets environment variables for the child.
    pub fn envs<I, K, V>(&mut self, vars: I) -> &mut Command
    where
        I: IntoIterator<Item = (K, V)>,
        K: AsRef<OsStr>,
        V: AsRef<OsStr>,
    {
        self.std.envs(vars);
        self
    }

    /// Removes an environment variable from the child's environment.
    pub fn env_remove(&mut self, key: impl AsRef<OsStr>) -> &mut Command {
        self.std.env_remove(key);
        self
    }

    /// Clears the child's environment (the variables set afterwards are all it gets).
    pub fn env_clear(&mut self) -> &mut Command {
        self.std.env_clear();
        self
    }

    /// Sets the child's working directory.
    pub fn current_dir(&mut self, dir: impl AsRef<Path>) -> &mut Command {
        self.std.current_dir(dir);
        self
    }

    /// The child's standard input: `Stdio::piped()` gives [`Child::stdin`], `null()`,
    /// `inherit()` (the default for `spawn` and `status`), or a file.
    pub fn stdin(&mut self, cfg: impl Into<Stdio>) -> &mut Command {
        self.std.stdin(cfg);
        self.stdin_set = true;
        self
    }

    /// The child's standard output (as [`stdin`](Command::stdin); `piped()` gives
    /// [`Child::stdout`]).
    pub fn stdout(&mut self, cfg: impl Into<Stdio>) -> &mut Command {
        self.std.stdout(cfg);
        self.stdout_set = true;
        self
    }

    /// The child's standard error (as [`stdin`](Command::stdin); `piped()` gives
    /// [`Child::stderr`]).
    pub fn stderr(&mut self, cfg: impl Into<Stdio>) -> &mut Command {
        self.std.stderr(cfg);
        self.stderr_set = true;
        self
    }

    /// Whether a [`Child`] dropped before its process exited kills it (`SIGKILL`). Off by
    /// default: the process runs on and is reaped in the background. Children are never
    /// killed by a runtime's close unless this is on (their `Child` is dropped with the task
    /// that held it).
    pub fn kill_on_drop(&mut self, kill_on_drop: bool) -> &mut Command {
        self.kill_on_drop = kill_on_drop;
        self
    }

    /// Starts the process (asyncio: `create_subprocess_exec`). Its piped streams are
    /// registered with the current runtime's reactor (the fallback one outside a runtime).
    ///
    /// # Errors
    ///
    /// std's: `NotFound` for a program that does not exist, `PermissionDenied` for one that is
    /// not executable, and the like; or a pipe that cannot be registered (the child is then
    /// killed and reaped).
    pub fn spawn(&mut self) -> io::Result<Child> {
        let child = self.std.spawn()?;
        Child::from_std(child, self.kill_on_drop)
    }

    /// Runs the process to its end and collects its output. Unless set otherwise, stdout and
    /// stderr are piped (and collected) and stdin reads nothing, as std's `output`.
    ///
    /// # Errors
    ///
    /// As [`spawn`](Command::spawn) and [`Child::wait_with_output`].
    pub async fn output(&mut self) -> io::Result<Output> {
        let child = self.spawn_with_defaults(Stdio::null, Stdio::piped);
        child?.wait_with_output().await
    }

    /// Runs the process to its end and returns its exit status. Streams are inherited unless
    /// set otherwise; any that were piped are closed at once (the child reads end-of-file, and
    /// a write to a closed pipe fails).
    ///
    /// # Errors
    ///
    /// As [`spawn`](Command::spawn) and [`Child::wait`].
    pub async fn status(&mut self) -> io::Result<ExitStatus> {
        let mut child = self.spawn()?;
        drop(child.stdin.take());
        drop(child.stdout.take());
        drop(child.stderr.take());
        child.wait_for_exit().await
    }

    /// Spawns with `input` for stdin and `out` for stdout and stderr where the caller set
    /// nothing, then puts the defaults of `spawn` (inherit) back.
    fn spawn_with_defaults(
        &mut self,
        input: fn() -> Stdio,
        out: fn() -> Stdio,
    ) -> io::Result<Child> {
        if !self.stdin_set {
            self.std.stdin(input());
        }
        if !self.stdout_set {
            self.std.stdout(out());
        }
        if !self.stderr_set {
            self.std.stderr(out());
        }
        let child = self.spawn();
        if !self.stdin_set {
            self.std.stdin(Stdio::inherit());
        }
        if !self.stdout_set {
            self.std.stdout(Stdio::inherit());
        }
        if !self.stderr_set {
            self.std.stderr(Stdio::inherit());
        }
        child
    }

    /// std's command inside (for what std offers beyond this, such as
    /// `std::os::unix::process::CommandExt`).
    pub fn as_std(&self) -> &std::process::Command {
        &self.std
    }

    /// std's command inside, mutably. Standard streams set through it count as unset for
    /// [`output`](Command::output)'s defaults.
    pub fn as_std_mut(&mut self) -> &mut std::process::Command {
        &mut self.std
    }

    /// The program this runs.
    pub fn get_program(&self) -> &OsStr {
        self.std.get_program()
    }

    /// Whether [`kill_on_drop`](Command::kill_on_drop) is on.
    pub fn get_kill_on_drop(&self) -> bool {
        self.kill_on_drop
    }
}

impl From<std::process::Command> for Command {
    fn from(std: std::process::Command) -> Command {
        Command {
            std,
            kill_on_drop: false,
            stdin_set: false,
            stdout_set: false,
            stderr_set: false,
        }
    }
}
