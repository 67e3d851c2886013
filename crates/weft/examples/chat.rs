//! A TCP chat server on weft alone: a named task per client, lines in, every line broadcast to
//! every other client, an idle timeout, and a clean shutdown on Ctrl-C.
//!
//! ```sh
//! cargo run --release --example chat            # listens on 127.0.0.1:7879
//! nc 127.0.0.1 7879                             # in two or more terminals: type lines
//! ```
//!
//! An argument sets the address (`127.0.0.1:0` picks a free port). Each client is greeted with
//! `welcome client-N` once it is subscribed; a client silent for 5 minutes is told so and
//! disconnected.

use std::time::Duration;
use weft::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use weft::net::{TcpListener, TcpStream};
use weft::signal::unix::{SignalKind, signal};
use weft::stream::StreamExt;
use weft::sync::broadcast;
use weft::task::JoinSet;

const IDLE: Duration = Duration::from_secs(300);

/// A line said by a client: who said it, and the text to show.
#[derive(Clone)]
struct Said {
    from: u64,
    text: String,
}

#[weft::main]
async fn main() -> std::io::Result<()> {
    let addr = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "127.0.0.1:7879".to_owned());
    let mut interrupt = signal(SignalKind::interrupt())?;
    let listener = TcpListener::bind(addr.as_str()).await?;
    println!("chat server listening on {}", listener.local_addr()?);
    let (hub, _) = broadcast::channel::<Said>(1024);
    let mut clients = JoinSet::new();
    let mut next_id = 0u64;
    loop {
        weft::select! {
            accepted = listener.accept() => {
                let (stream, _) = accepted?;
                next_id += 1;
                let name = format!("client-{next_id}");
                let (id, hub, task_name) = (next_id, hub.clone(), name.clone());
                clients.build_task().name(&task_name).spawn(async move {
                    if let Err(e) = serve(id, name, stream, hub).await {
                        eprintln!("client-{id}: {e}");
                    }
                });
            }
            Some(done) = clients.join_next(), if !clients.is_empty() => {
                let _ = done; // a client left; its task is gone
            }
            _ = interrupt.recv() => {
                println!("Ctrl-C: closing {} client(s) and exiting", clients.len());
                clients.shutdown().await;
                return Ok(());
            }
        }
    }
}

/// One client: its lines go to the hub, the hub's lines (from others) go to it.
async fn serve(
    id: u64,
    name: String,
    stream: TcpStream,
    hub: broadcast::Sender<Said>,
) -> std::io::Result<()> {
    let mut inbox = hub.subscribe();
    let (read, mut write) = stream.into_split();
    let mut lines = BufReader::new(read).lines();
    write
        .write_all(format!("welcome {name}\n").as_bytes())
        .await?;
    loop {
        weft::select! {
            line = lines.next() => match line {
                Some(Ok(line)) => {
                    let _ = hub.send(Said { from: id, text: format!("{name}: {line}") });
                }
                // The client closed its side, or its connection broke.
                Some(Err(_)) | None => return Ok(()),
            },
            said = inbox.recv() => match said {
                Ok(said) if said.from != id => {
                    write.write_all(said.text.as_bytes()).await?;
                    write.write_all(b"\n").await?;
                }
                Ok(_) => {}
                Err(broadcast::RecvError::Lagged(n)) => {
                    write.write_all(format!("({n} lines missed)\n").as_bytes()).await?;
                }
                Err(broadcast::RecvError::Closed) => return Ok(()),
            },
            _ = weft::time::sleep(IDLE) => {
                write.write_all(b"idle for too long: goodbye\n").await?;
                return Ok(());
            }
        }
    }
}
