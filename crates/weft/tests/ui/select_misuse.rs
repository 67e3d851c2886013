// Each misuse of select! is a compile error at the mistake.

async fn missing_comma() -> u32 {
    weft::select! {
        v = std::future::ready(1) => v
        w = std::future::ready(2) => w,
    }
}

async fn two_elses() -> u32 {
    weft::select! {
        v = std::future::ready(1) => v,
        else => 0,
        else => 1,
    }
}

async fn no_branches() {
    weft::select! {}
}

fn main() {}
