//! Evidence for erratum E13: the guide's backpressure example, exactly as written, run on the
//! runtime `#[tokio::main]` gives it (multi-thread), prints different orders from run to run;
//! its Output block is just the one order a current-thread runtime always prints.
//!
//! `cargo run --release --example backpressure_schedules -- 20` runs it 20 times (about a
//! second each: the example sleeps for real) and prints each distinct order of the first
//! eight lines with how often it came up.

use std::collections::BTreeMap;

use channel_patterns::{Transcript, as_written, catalog};

fn main() -> std::io::Result<()> {
    let runs: usize = match std::env::args().nth(1) {
        None => 10,
        Some(n) => n.parse().map_err(|_| {
            std::io::Error::new(std::io::ErrorKind::InvalidInput, "RUNS must be a number")
        })?,
    };
    let documented = catalog::find("mpsc-backpressure")
        .and_then(|p| p.documented())
        .map(|d| d.lines)
        .unwrap_or_default();

    let mut orders: BTreeMap<Vec<String>, usize> = BTreeMap::new();
    for _ in 0..runs {
        let out = Transcript::new();
        let thread_out = out.clone();
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .enable_all()
            .on_thread_start(move || as_written::capture_thread(&thread_out))
            .build()?;
        as_written::capture(&out, || {
            runtime.block_on(as_written::mpsc_backpressure::main())
        });
        drop(runtime);
        let head = out.lines().into_iter().take(8).collect();
        *orders.entry(head).or_default() += 1;
    }
    for (order, count) in &orders {
        let agrees = order.starts_with(&documented);
        println!(
            "{count:>3} of {runs}: {}{}",
            order.join(" | "),
            if agrees {
                "   (the guide's Output block)"
            } else {
                ""
            }
        );
    }
    Ok(())
}
