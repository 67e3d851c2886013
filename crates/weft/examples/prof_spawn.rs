//! scratch profiling
fn main() {
    let rt = weft::runtime::Builder::new().worker_threads(std::env::var("W").map_or(2, |v| v.parse().unwrap())).build().unwrap();
    for _ in 0..20 {
        rt.block_on(async {
            weft::spawn(async {
                let hs: Vec<_> = (0..10_000u64).map(|i| weft::spawn(async move { i })).collect();
                let mut s = 0;
                for h in hs {
                    s += h.await.unwrap();
                }
                s
            })
            .await
            .unwrap()
        });
    }
}
