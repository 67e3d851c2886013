//! `#[weft::main]` and `#[weft::test]`: run an `async fn` on a new weft runtime (asyncio:
//! `asyncio.run(main())`); and `weft::select!` (`select.rs`).
//!
//! Use them through the `weft` crate, as `#[weft::main]` and `#[weft::test]`; this crate is an
//! implementation detail. (The examples here are not compiled, because a proc-macro crate
//! cannot depend on `weft`; the same examples on the re-exports in `weft` are.)
//!
//! ```ignore
//! #[weft::main]
//! async fn main() -> std::io::Result<()> {
//!     let listener = weft::net::TcpListener::bind("127.0.0.1:0").await?;
//!     println!("listening on {}", listener.local_addr()?);
//!     Ok(())
//! }
//! ```
//!
//! ```ignore
//! #[weft::test(worker_threads = 2)]
//! async fn spawned_tasks_run_on_two_workers() {
//!     assert_eq!(weft::runtime::Handle::current().num_workers(), 2);
//!     assert_eq!(weft::spawn(async { 1 + 1 }).await.unwrap(), 2);
//! }
//! ```
//!
//! # What the function becomes
//!
//! The `async fn` becomes a plain `fn` with the same name, visibility, attributes and return
//! type. It builds a runtime with `::weft::runtime::Builder`, runs the body to completion with
//! `block_on`, closes the runtime, and returns the body's output, so `main` may return a
//! `Result` and `?` works in the body. `#[weft::test]` also adds `#[test]`; `#[ignore]`,
//! `#[should_panic]` and doc comments are kept as written.
//!
//! If the runtime cannot be built (the system refuses to start its threads), the function
//! panics with a message naming the attribute.
//!
//! The expansion names weft by absolute paths only (`::weft::runtime::Builder`), so it works
//! whatever the calling module imports, but the calling crate must depend on weft under the
//! name `weft`.
//!
//! # Arguments
//!
//! | argument | meaning | default |
//! |---|---|---|
//! | `worker_threads = N` | the number of worker threads; an integer literal, at least 1 | the [`Builder`]'s default: one per available core |
//! | `flavor = "local"` | run on a `LocalRuntime`: every task on the calling thread, `spawn_local` for futures that are not `Send` (`"multi_thread"` names the default) | a `Runtime` |
//! | `start_paused = true` | start with the runtime's clock paused (virtual time: timers fire when the clock is advanced, or at once when nothing else can run) | real time |
//!
//! Both macros use the builder's default when `worker_threads` is not given, tests included:
//! a test that depends on a worker count (or on running on a single thread) should say so
//! with `worker_threads = N`.
//!
//! # Compile errors
//!
//! Misuse is a compile error pointing at the mistake: a function without `async`, a function
//! with parameters, an unknown argument (the error names the accepted ones), a `worker_threads`
//! that is not an integer literal or is zero, `worker_threads` with `flavor = "local"`, an
//! unknown flavor, a `start_paused` that is not `true` or `false`, an argument given twice,
//! and `#[test]` written next to `#[weft::test]`.
//!
//! ```ignore
//! #[weft::test(flavor = "local", start_paused = true)]
//! async fn an_hour_passes_at_once_on_one_thread() {
//!     let shared = std::rc::Rc::new(std::cell::Cell::new(0));
//!     let task = weft::task::spawn_local({
//!         let shared = shared.clone();
//!         async move { shared.set(1) }
//!     });
//!     weft::time::sleep(std::time::Duration::from_secs(3600)).await;
//!     task.await.unwrap();
//!     assert_eq!(shared.get(), 1);
//! }
//! ```
//!
//! [`Builder`]: https://docs.rs/weft/latest/weft/runtime/struct.Builder.html

mod args;
mod expand;
mod select;

use proc_macro::TokenStream;

/// `#[weft::main]` turns an `async fn` into a plain `fn` that runs the body on a new weft
/// runtime, closes the runtime, and returns the body's output.
///
/// - The function keeps its name, visibility, attributes and return type: `main` may return
///   anything a plain `main` may, a `Result` included, and `?` works in the body.
/// - `worker_threads = N` (an integer literal, at least 1) sets the number of worker threads;
///   without it the runtime has the builder's default, one per available core.
/// - `flavor = "local"` runs on a `LocalRuntime` (one thread; `spawn_local` works);
///   `start_paused = true` starts with the clock paused.
/// - On a function other than `main` (it must take no parameters), each call runs the body on
///   a runtime of its own; call it from outside any runtime.
/// - Misuse is a compile error at the mistake. The [crate documentation](crate) has examples,
///   the expansion and the list of errors.
#[proc_macro_attribute]
pub fn main(args: TokenStream, item: TokenStream) -> TokenStream {
    expand::expand(args.into(), item.into(), Kind::Main).into()
}

/// `#[weft::test]` turns an `async fn` into a `#[test]` that runs the body on a new weft
/// runtime; the test fails if the body panics or returns an `Err`.
///
/// - Adds `#[test]` (do not write it too) and keeps the function's other attributes, such as
///   `#[ignore]`, `#[should_panic]` and doc comments.
/// - `worker_threads = N` (an integer literal, at least 1) sets the number of worker threads;
///   without it the runtime has the builder's default, one per available core, as with
///   [`main`](macro@main). A test that relies on a worker count should give one.
/// - `flavor = "local"` runs the test on a `LocalRuntime`; `start_paused = true` starts its
///   clock paused, so timers fire as soon as nothing else can run (virtual time).
/// - Each test gets a runtime of its own, closed when the test returns.
/// - Misuse is a compile error at the mistake. The [crate documentation](crate) has examples,
///   the expansion and the list of errors.
#[proc_macro_attribute]
pub fn test(args: TokenStream, item: TokenStream) -> TokenStream {
    expand::expand(args.into(), item.into(), Kind::Test).into()
}

/// `weft::select!`: waits for the first of several futures whose output matches its pattern,
/// drops the others, and runs that branch's handler. Documented (with examples that compile)
/// on the re-export, `weft::select!`; the grammar and the expansion are in `select.rs`.
#[proc_macro]
pub fn select(input: TokenStream) -> TokenStream {
    select::expand(input.into()).into()
}

/// Which attribute is being expanded.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    Main,
    Test,
}

impl Kind {
    /// The attribute as a user writes it, for error messages.
    fn attribute(self) -> &'static str {
        match self {
            Kind::Main => "#[weft::main]",
            Kind::Test => "#[weft::test]",
        }
    }
}
