//! Loom over the mpsc patterns' own code (`channel_patterns::mpsc`, and the guide's code in
//! `as_written`), on the loom backend of `channel_patterns::rt`: every interleaving of their
//! tasks, up to LOOM_MAX_PREEMPTIONS. Run with `bash ci/loom.sh`.
#![cfg(channel_patterns_loom)]

mod loom_support;

use std::time::Duration;

use channel_patterns::rt::{self, sync::mpsc as chan};
use channel_patterns::{Transcript, as_written, mpsc};
use loom_support::{
    explore, guide_prints_on_every_schedule, interleaving, prints_on_every_schedule, rejected,
    run_as_written, run_pattern,
};
use pretty_assertions::assert_eq;

/// Every message arrives exactly once and in order, then the channel closes: the whole
/// transcript is the same on every schedule.
#[test]
fn mpsc_basic_every_message_arrives_once_in_order() {
    prints_on_every_schedule("mpsc-basic", mpsc::basic, mpsc::BASIC);
    guide_prints_on_every_schedule(
        "mpsc-basic, the guide's code",
        as_written::mpsc_basic::main,
        mpsc::BASIC,
    );
}

/// Every message of every producer arrives exactly once, each producer's in the order it sent
/// them; the order between producers varies with the schedule, so that is all that holds.
fn fan_in_is_lossless_and_per_producer_ordered(received: &[String], producers: &[Vec<String>]) {
    let mut sorted = received.to_vec();
    sorted.sort();
    let mut sent: Vec<String> = producers.iter().flatten().cloned().collect();
    sent.sort();
    assert_eq!(sorted, sent, "a message was lost, duplicated or invented");
    for producer in producers {
        let arrived: Vec<&String> = received.iter().filter(|m| producer.contains(m)).collect();
        assert!(
            arrived.iter().copied().eq(producer.iter()),
            "a producer's messages arrived out of order: {arrived:?}"
        );
    }
}

#[test]
fn mpsc_multi_producer_every_message_once_in_per_producer_order() {
    explore("mpsc-multi-producer", || {
        let (lines, ran) = run_pattern(mpsc::multi_producer);
        ran.finished().unwrap();
        let each_says_hello: Vec<Vec<String>> = mpsc::MULTI_PRODUCER
            .iter()
            .map(|l| vec![l.to_string()])
            .collect();
        fan_in_is_lossless_and_per_producer_ordered(&lines, &each_says_hello);
    });
    explore("mpsc-multi-producer, the guide's code", || {
        let (lines, ran) = run_as_written(as_written::mpsc_multi_producer::main);
        let why = interleaving(&lines, &ran);
        // The guide's producers are never awaited, but each sends before the channel can
        // close, so none is left waiting when `main` returns.
        assert!(ran.left_running.is_empty(), "{why}");
        let each_says_hello: Vec<Vec<String>> = mpsc::MULTI_PRODUCER
            .iter()
            .map(|l| vec![l.to_string()])
            .collect();
        fan_in_is_lossless_and_per_producer_ordered(&lines, &each_says_hello);
    });
    explore(
        "mpsc-multi-producer, 2 producers of 2 through 1 slot",
        || {
            let producers: Vec<Vec<String>> = (0..2)
                .map(|p| (0..2).map(|i| format!("{p}.{i}")).collect())
                .collect();
            let timed = producers
                .iter()
                .map(|msgs| msgs.iter().map(|m| (Duration::ZERO, m.clone())).collect())
                .collect();
            let received = rt::task::run(mpsc::fan_in(timed, 1)).finished().unwrap();
            fan_in_is_lossless_and_per_producer_ordered(&received, &producers);
        },
    );
}

/// Backpressure: every message is processed once and in order, and the producer is never more
/// than `capacity` ahead: "Sent i" (message i accepted) always comes after
/// "Processing i - capacity - 1", since accepting i needs a free slot, so the consumer has taken
/// i - capacity, and it prints each message as soon as it takes it. Which lines interleave
/// how varies with the schedule (E13); this bound does not.
fn within_capacity(lines: &[String], capacity: i32, count: i32) {
    let processed: Vec<&String> = lines
        .iter()
        .filter(|l| l.starts_with("Processing "))
        .collect();
    let expected: Vec<String> = (0..count).map(|i| format!("Processing {i}")).collect();
    assert!(
        processed.iter().copied().eq(expected.iter()),
        "not every message processed once in order: {lines:?}"
    );
    for i in capacity + 1..count {
        let sent = lines.iter().position(|l| *l == format!("Sent {i}"));
        let taken = lines
            .iter()
            .position(|l| *l == format!("Processing {}", i - capacity - 1));
        assert!(
            matches!((sent, taken), (Some(s), Some(t)) if t < s),
            "message {i} was accepted before {} was taken: more than {capacity} ahead: {lines:?}",
            i - capacity - 1
        );
    }
}

#[test]
fn mpsc_backpressure_producer_never_more_than_capacity_ahead() {
    explore("mpsc-backpressure, capacity 1, 4 messages", || {
        let (lines, ran) =
            run_pattern(|out| mpsc::backpressure_with(1, 4, |_| Duration::from_millis(100), out));
        ran.finished().unwrap();
        within_capacity(&lines, 1, 4);
    });
    explore("mpsc-backpressure, capacity 2, 4 messages", || {
        let (lines, ran) =
            run_pattern(|out| mpsc::backpressure_with(2, 4, |_| Duration::from_millis(100), out));
        ran.finished().unwrap();
        within_capacity(&lines, 2, 4);
    });
}

/// E13: the guide's Output block is one schedule of several. The bound above holds for the
/// guide's own code on every schedule; its exact Output block does not.
#[test]
fn mpsc_backpressure_the_guide_shows_one_schedule_of_several() {
    explore(
        "mpsc-backpressure, the guide's code: the bound holds",
        || {
            let (lines, ran) = run_as_written(as_written::mpsc_backpressure::main);
            ran.finished();
            within_capacity(&lines, 2, 10);
        },
    );
    let message = rejected("E13: the guide's Output block on every schedule", || {
        let (lines, ran) = run_as_written(as_written::mpsc_backpressure::main);
        let documented = &mpsc::BACKPRESSURE[..7];
        assert!(
            lines.starts_with(&documented.iter().map(|l| l.to_string()).collect::<Vec<_>>()),
            "the Output block is not what this schedule printed:{}",
            interleaving(&lines, &ran)
        );
    });
    assert!(message.contains("the Output block is not"), "{message}");
}

/// The unit of work in progress finishes at shutdown: every unit the worker starts, it ends,
/// before it cleans up, whenever the signal comes.
#[test]
fn mpsc_shutdown_the_unit_in_progress_finishes() {
    prints_on_every_schedule("mpsc-shutdown", mpsc::shutdown, mpsc::SHUTDOWN);
    // The guide's worker prints the same; the unit it cancels (E18) prints nothing, which is
    // why the check below uses units that do.
    guide_prints_on_every_schedule(
        "mpsc-shutdown, the guide's code",
        as_written::mpsc_shutdown::main,
        mpsc::SHUTDOWN,
    );
    explore("mpsc-shutdown, units that give way mid-unit", || {
        let (lines, ran) = run_pattern(|out: Transcript| async move {
            let (tx, rx) = chan::channel::<()>(1);
            let unit_out = out.clone();
            let mut n = 0;
            let work = move || {
                n += 1;
                let (out, n) = (unit_out.clone(), n);
                async move {
                    out.line(format!("unit {n} started"));
                    rt::time::sleep(Duration::from_millis(100)).await;
                    out.line(format!("unit {n} finished"));
                }
            };
            let worker = rt::spawn(mpsc::run_worker(rx, work, out));
            rt::time::sleep(Duration::from_millis(150)).await;
            let _ = tx.send(()).await;
            worker.await
        });
        ran.finished().unwrap();
        let (last, units) = lines.split_last().expect("the worker wrote nothing");
        assert_eq!(last, "Worker cleaned up");
        let (signal, units) = units.split_last().expect("no shutdown line");
        assert_eq!(signal, "Shutdown signal received");
        for pair in units.chunks(2) {
            let n = pair[0]
                .trim_start_matches("unit ")
                .trim_end_matches(" started");
            assert_eq!(
                pair,
                [format!("unit {n} started"), format!("unit {n} finished")],
                "a unit was cut short: {lines:?}"
            );
        }
    });
}
