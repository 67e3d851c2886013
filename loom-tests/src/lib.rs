//! loom models of weft's lock-free protocols. Built and run only with `--cfg weft_loom`:
//!
//! ```text
//! RUSTFLAGS="--cfg weft_loom" LOOM_MAX_PREEMPTIONS=2 cargo test -p loom-tests --release
//! ```
