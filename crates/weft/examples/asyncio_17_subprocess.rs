//! asyncio pattern 17: subprocesses with pipes — `create_subprocess_exec`, write to its stdin,
//! read its stdout, wait for it, without blocking the loop.
//!
//! ```python
//! proc = await asyncio.create_subprocess_exec(
//!     "tr", "a-z", "A-Z", stdin=PIPE, stdout=PIPE)
//! out, _ = await proc.communicate(b"hello from asyncio\n")
//! print(out.decode(), proc.returncode)
//! ```
//!
//! weft: `weft::process::Command` (std's builder shape) with `Stdio::piped()`; the pipes are
//! `AsyncWrite` / `AsyncRead`, `wait_with_output().await` is `communicate`, and the child is
//! reaped by the runtime (never a zombie, even if its `Child` is dropped early).
//!
//! Run: `cargo run --example asyncio_17_subprocess`

use weft::io::{AsyncReadExt, AsyncWriteExt};
use weft::process::{Command, Stdio};

#[weft::main]
async fn main() -> std::io::Result<()> {
    let mut child = Command::new("tr")
        .args(["a-z", "A-Z"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()?;
    let mut stdin = child.stdin.take().expect("piped");
    // Written from a task of its own while we read: a large input cannot deadlock the pipes.
    let writer = weft::spawn(async move {
        stdin.write_all(b"hello from weft\n").await?;
        stdin.close().await // end of input: tr finishes
    });
    let mut out = String::new();
    child
        .stdout
        .take()
        .expect("piped")
        .read_to_string(&mut out)
        .await?;
    writer.await??;
    let status = child.wait().await?;
    print!("child said: {out}");
    println!("child exited: success = {}", status.success());

    // The short form: output() pipes stdout and stderr and waits.
    let output = Command::new("echo").arg("and goodbye").output().await?;
    print!("echo said: {}", String::from_utf8_lossy(&output.stdout));
    Ok(())
}
