//! asyncio pattern 15: named tasks — `create_task(coro, name="...")`, and reading the name
//! from inside the task and from outside.
//!
//! ```python
//! async def worker():
//!     print("inside:", asyncio.current_task().get_name())
//!
//! task = asyncio.create_task(worker(), name="fetch-user-42")
//! print("outside:", task.get_name())
//! await task
//! ```
//!
//! weft: `weft::task::Builder::new().name(..).spawn(fut)` (or `.spawn_on(fut, &handle)` from
//! outside a runtime); `weft::task::current()` gives the running task's `TaskInfo` (`id()`,
//! `name()`), `JoinHandle::name()` and `id()` read them from outside. Unnamed tasks have
//! `None`; every task has a process-unique id.
//!
//! Run: `cargo run --example asyncio_15_named_tasks`

use weft::task;

async fn worker() -> String {
    let me = task::current().expect("inside a task");
    println!("inside: task {} is named {:?}", me.id(), me.name());
    me.name().unwrap_or("unnamed").to_owned()
}

#[weft::main]
async fn main() {
    let named = task::Builder::new().name("fetch-user-42").spawn(worker());
    println!("outside: task {} is named {:?}", named.id(), named.name());
    println!(
        "it returned its own name: {}",
        named.await.expect("completes")
    );

    let unnamed = weft::spawn(worker());
    println!("outside: an unnamed task: {:?}", unnamed.name());
    unnamed.await.expect("completes");

    println!(
        "outside any task (on the block_on thread): {:?}",
        task::current().map(|t| t.id())
    );
}
