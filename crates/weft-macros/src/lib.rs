//! `#[weft::main]` and `#[weft::test]`.
//!
//! Empty for now: the macros are built by the event-loop issue. Nothing is exported yet.
