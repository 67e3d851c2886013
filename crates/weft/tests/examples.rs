//! The I/O examples run and answer like a user would see with curl / nc.

mod common;

use std::io::{BufRead, BufReader, Read, Write};
use std::process::Child;

/// Starts an example (built by `cargo test`) with `args`; returns it and the address it
/// printed on its first line.
fn start(example: &str, args: &[&str]) -> (Child, String) {
    let (child, last) = common::start_example(example, args);
    let addr = last
        .trim_start_matches("http://")
        .trim_end_matches('/')
        .to_owned();
    (child, addr)
}

#[test]
fn the_http_example_answers_a_get() {
    let (mut child, addr) = start("http_hello", &["127.0.0.1:0", "--once"]);
    let mut stream = std::net::TcpStream::connect(&addr).unwrap();
    stream
        .write_all(b"GET / HTTP/1.1\r\nHost: localhost\r\nUser-Agent: curl/8\r\n\r\n")
        .unwrap();
    let mut response = vec![0u8; 256];
    let n = stream.read(&mut response).unwrap();
    let response = String::from_utf8_lossy(&response[..n]).into_owned();
    assert!(response.starts_with("HTTP/1.1 200 OK\r\n"), "{response}");
    assert!(response.ends_with("\r\n\r\nHello, world!"), "{response}");
    drop(stream);
    assert!(child.wait().unwrap().success());
}

#[test]
fn the_echo_example_exits_cleanly_on_ctrl_c() {
    let (mut child, addr) = start("echo_server", &["127.0.0.1:0"]);
    // An open connection, echoed once, still open when Ctrl-C comes.
    let mut stream = std::net::TcpStream::connect(&addr).unwrap();
    stream.write_all(b"ping").unwrap();
    let mut back = [0u8; 4];
    stream.read_exact(&mut back).unwrap();
    let pid = i32::try_from(child.id()).unwrap();
    // SAFETY: sending SIGINT to the child we started.
    assert_eq!(unsafe { libc::kill(pid, libc::SIGINT) }, 0);
    let status = child.wait().unwrap();
    assert!(status.success(), "exit status {status}");
    let mut said = String::new();
    child
        .stdout
        .take()
        .unwrap()
        .read_to_string(&mut said)
        .unwrap();
    assert!(said.contains("Ctrl-C: closing 1 connection(s)"), "{said}");
    // The server cancelled the connection: the client reads end-of-file.
    let mut rest = Vec::new();
    stream.read_to_end(&mut rest).unwrap();
    assert!(rest.is_empty());
}

#[test]
fn the_echo_example_echoes() {
    let (mut child, addr) = start("echo_server", &["127.0.0.1:0", "--once"]);
    let mut stream = std::net::TcpStream::connect(&addr).unwrap();
    stream.write_all(b"hello weft\n").unwrap();
    stream.shutdown(std::net::Shutdown::Write).unwrap();
    let mut back = String::new();
    stream.read_to_string(&mut back).unwrap();
    assert_eq!(back, "hello weft\n");
    assert!(child.wait().unwrap().success());
}

#[test]
fn the_chat_example_delivers_every_line_to_every_other_client() {
    use std::collections::BTreeSet;
    const CLIENTS: usize = 50;
    let (mut child, addr) = start("chat", &["127.0.0.1:0"]);
    // Every client connects and waits for its welcome (it is subscribed from then on).
    let mut clients: Vec<(std::net::TcpStream, BufReader<std::net::TcpStream>)> = (0..CLIENTS)
        .map(|_| {
            let stream = std::net::TcpStream::connect(&addr).unwrap();
            let mut reader = BufReader::new(stream.try_clone().unwrap());
            let mut welcome = String::new();
            reader.read_line(&mut welcome).unwrap();
            assert!(welcome.starts_with("welcome client-"), "{welcome}");
            (stream, reader)
        })
        .collect();
    for (i, (stream, _)) in clients.iter_mut().enumerate() {
        writeln!(stream, "hello from {i}").unwrap();
    }
    // Each client reads the 49 lines of the others, in any order.
    let readers: Vec<_> = clients
        .drain(..)
        .enumerate()
        .map(|(i, (stream, mut reader))| {
            std::thread::spawn(move || {
                let mut got = BTreeSet::new();
                for _ in 0..CLIENTS - 1 {
                    let mut line = String::new();
                    reader.read_line(&mut line).unwrap();
                    let text = line.trim_end().split(": ").nth(1).unwrap().to_owned();
                    got.insert(text);
                }
                (i, got, stream)
            })
        })
        .collect();
    let mut streams = Vec::new();
    for r in readers {
        let (i, got, stream) = r.join().unwrap();
        let expected: BTreeSet<String> = (0..CLIENTS)
            .filter(|&j| j != i)
            .map(|j| format!("hello from {j}"))
            .collect();
        assert_eq!(got, expected, "client {i}");
        streams.push(stream);
    }
    let pid = i32::try_from(child.id()).unwrap();
    // SAFETY: sending SIGINT to the child we started.
    assert_eq!(unsafe { libc::kill(pid, libc::SIGINT) }, 0);
    let status = child.wait().unwrap();
    assert!(status.success(), "exit status {status}");
    let mut said = String::new();
    child
        .stdout
        .take()
        .unwrap()
        .read_to_string(&mut said)
        .unwrap();
    assert!(said.contains("Ctrl-C: closing 50 client(s)"), "{said}");
}
