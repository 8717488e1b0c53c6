#[loom_tokio_macros::test]
fn not_async() {}

#[loom_tokio_macros::test]
async fn with_an_argument(n: u32) {
    let _ = n;
}

#[loom_tokio_macros::test(flavour = "current_thread")]
async fn a_misspelt_argument() {}

#[loom_tokio_macros::test(start_paused)]
async fn an_argument_without_a_value() {}

fn main() {}
