#[weft::main]
async fn main(name: String) {
    let _ = name;
}
