//! The hyper examples (feature `hyper`) as a user runs them: `curl` over HTTP/1.1 and HTTP/2
//! against `hyper_server`, `hyper_client` against it, and the server's graceful exit on Ctrl-C
//! with a keep-alive connection open. `curl` must be installed (`.ci/run` installs it).
#![cfg(feature = "hyper")]

mod common;

use std::io::{Read, Write};
use std::process::{Child, Command, Output};

/// Starts `hyper_server` on a free port; returns it and its base URL (`http://addr/`).
fn start_server() -> (Child, String) {
    let (child, url) = common::start_example("hyper_server", &["127.0.0.1:0"]);
    assert!(url.starts_with("http://"), "{url}");
    (child, url)
}

fn interrupt(child: &Child) {
    let pid = i32::try_from(child.id()).unwrap();
    // SAFETY: sending SIGINT to the child we started.
    assert_eq!(unsafe { libc::kill(pid, libc::SIGINT) }, 0);
}

fn curl(args: &[&str]) -> String {
    let out: Output = Command::new("curl")
        .args(["--silent", "--show-error", "--max-time", "30"])
        .args(args)
        .output()
        .expect("curl is needed for this test (.ci/run installs it): apt-get install curl");
    assert!(
        out.status.success(),
        "curl {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

#[test]
fn curl_gets_answers_over_http1_and_http2() {
    let (mut server, url) = start_server();
    assert_eq!(
        curl(&["--http1.1", &url]),
        "Hello from hyper on weft (HTTP/1.1)\n"
    );
    assert_eq!(
        curl(&["--http2-prior-knowledge", &url]),
        "Hello from hyper on weft (HTTP/2.0)\n"
    );
    assert_eq!(
        curl(&["--data", "some text", &format!("{url}echo")]),
        "some text"
    );
    // Two requests on one keep-alive connection.
    assert_eq!(
        curl(&[&url, &url]),
        "Hello from hyper on weft (HTTP/1.1)\n".repeat(2)
    );
    interrupt(&server);
    assert!(server.wait().unwrap().success());
}

#[test]
fn the_client_example_talks_to_the_server_example() {
    let (mut server, url) = start_server();
    let out = Command::new(common::example_path("hyper_client"))
        .arg(&url)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let said = String::from_utf8(out.stdout).unwrap();
    for i in 1..=3 {
        assert!(
            said.contains(&format!("request {i}: 200 OK Hello from hyper on weft")),
            "{said}"
        );
    }
    interrupt(&server);
    assert!(server.wait().unwrap().success());
}

#[test]
fn ctrl_c_closes_a_keep_alive_connection_and_exits_cleanly() {
    let (mut server, url) = start_server();
    let addr = url.trim_start_matches("http://").trim_end_matches('/');
    let mut stream = std::net::TcpStream::connect(addr).unwrap();
    stream
        .write_all(b"GET / HTTP/1.1\r\nHost: localhost\r\n\r\n")
        .unwrap();
    let mut response = vec![0u8; 1024];
    let n = stream.read(&mut response).unwrap();
    let response = String::from_utf8_lossy(&response[..n]).into_owned();
    assert!(response.starts_with("HTTP/1.1 200 OK\r\n"), "{response}");
    // The connection stays open (keep-alive) when Ctrl-C comes.
    interrupt(&server);
    let status = server.wait().unwrap();
    assert!(status.success(), "exit status {status}");
    let mut said = String::new();
    server
        .stdout
        .take()
        .unwrap()
        .read_to_string(&mut said)
        .unwrap();
    assert!(
        said.contains("Ctrl-C: finishing open connections"),
        "{said}"
    );
    assert!(said.contains("all connections closed"), "{said}");
    // The server closed the idle connection: the client reads end-of-file.
    let mut rest = Vec::new();
    stream.read_to_end(&mut rest).unwrap();
    assert!(rest.is_empty(), "{}", String::from_utf8_lossy(&rest));
}
