//! Side-by-side comparison of weft, tokio and smol (filled in below).
fn main() {}
