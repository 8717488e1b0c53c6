//! The batcher's behaviour, in paused time. Plain tokio tests: `cargo test` runs each once on
//! tokio; `cargo test --features loom` runs each, unchanged, in every interleaving loom
//! explores.

use std::time::Duration;

use batcher::batch;
use tokio::sync::mpsc;
use tokio::time::{Instant, sleep, timeout};

const MAX_DELAY: Duration = Duration::from_millis(100);

/// Every batch received until the batcher closes the channel, each with the milliseconds since
/// `start` at which it came. Fails if the batcher has not closed it within a minute.
async fn received<T>(mut batches: mpsc::Receiver<Vec<T>>, start: Instant) -> Vec<(Vec<T>, u128)> {
    let all = async {
        let mut all = Vec::new();
        while let Some(batch) = batches.recv().await {
            all.push((batch, start.elapsed().as_millis()));
        }
        all
    };
    timeout(Duration::from_secs(60), all)
        .await
        .expect("the batcher closed its batches within a minute")
}

#[tokio::test(start_paused = true)]
async fn a_busy_stream_goes_in_full_batches_and_the_rest_at_its_end() {
    let start = Instant::now();
    let (items, rx) = mpsc::channel(2);
    let (tx, batches) = mpsc::channel(1);
    tokio::spawn(batch(rx, tx, 3, MAX_DELAY));
    tokio::spawn(async move {
        for i in 1..=7 {
            items.send(i).await.expect("the batcher receives");
        }
    });
    assert_eq!(
        received(batches, start).await,
        [(vec![1, 2, 3], 0), (vec![4, 5, 6], 0), (vec![7], 0)]
    );
}

#[tokio::test(start_paused = true)]
async fn a_quiet_stream_is_held_back_no_longer_than_max_delay() {
    let start = Instant::now();
    let (items, rx) = mpsc::channel(2);
    let (tx, batches) = mpsc::channel(1);
    tokio::spawn(batch(rx, tx, 3, MAX_DELAY));
    tokio::spawn(async move {
        items.send('a').await.expect("the batcher receives");
        sleep(Duration::from_millis(250)).await;
        items.send('b').await.expect("the batcher receives");
        sleep(Duration::from_millis(30)).await;
        items.send('c').await.expect("the batcher receives");
        sleep(Duration::from_millis(30)).await;
    });
    assert_eq!(
        received(batches, start).await,
        [(vec!['a'], 100), (vec!['b', 'c'], 310)]
    );
}

#[tokio::test(start_paused = true)]
async fn two_producers_lose_nothing_and_each_keeps_its_order() {
    let start = Instant::now();
    let (items, rx) = mpsc::channel(1);
    let (tx, batches) = mpsc::channel(1);
    tokio::spawn(batch(rx, tx, 2, MAX_DELAY));
    for (producer, count) in [('a', 2), ('b', 1)] {
        let items = items.clone();
        tokio::spawn(async move {
            for i in 1..=count {
                items
                    .send((producer, i))
                    .await
                    .expect("the batcher receives");
            }
        });
    }
    drop(items);
    let got = received(batches, start).await;
    let sizes: Vec<usize> = got.iter().map(|(b, _)| b.len()).collect();
    assert_eq!(sizes, [2, 1], "{got:?}");
    for (producer, sent) in [('a', vec![1, 2]), ('b', vec![1])] {
        let its: Vec<u32> = got
            .iter()
            .flat_map(|(b, _)| b)
            .filter(|(p, _)| *p == producer)
            .map(|(_, i)| *i)
            .collect();
        assert_eq!(its, sent, "{producer}'s items in {got:?}");
    }
}

#[tokio::test(start_paused = true)]
async fn the_batcher_returns_once_nobody_takes_its_batches() {
    let (items, rx) = mpsc::channel(1);
    let (tx, batches) = mpsc::channel(1);
    let batcher = tokio::spawn(batch(rx, tx, 1, MAX_DELAY));
    drop(batches);
    // The batch of this item cannot be sent: the batcher returns, and drops its receiver.
    items.send(1).await.expect("the batcher receives");
    timeout(Duration::from_secs(60), batcher)
        .await
        .expect("the batcher returned within a minute")
        .expect("the batcher did not panic");
    assert!(
        items.send(2).await.is_err(),
        "the batcher dropped its receiver"
    );
}
