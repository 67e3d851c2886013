//! scratch
fn main() {
    let rt = weft::runtime::Builder::new()
        .worker_threads(2)
        .build()
        .unwrap();
    let t = std::time::Instant::now();
    let n = rt.block_on(async {
        let hs: Vec<_> = (0..100_000u64)
            .map(|i| weft::spawn(async move { i }))
            .collect();
        let mut s = 0;
        for h in hs {
            s += h.await.unwrap();
        }
        s
    });
    println!("{n} {:?}", t.elapsed());
    let t = std::time::Instant::now();
    let n = rt.block_on(async {
        weft::spawn(async {
            let hs: Vec<_> = (0..100_000u64)
                .map(|i| weft::spawn(async move { i }))
                .collect();
            let mut s = 0;
            for h in hs {
                s += h.await.unwrap();
            }
            s
        })
        .await
        .unwrap()
    });
    println!("{n} {:?}", t.elapsed());
}
