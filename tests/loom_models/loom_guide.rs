//! Loom over the programs of the corrected guide, exactly as a reader sees them
//! (`crates/patterns/src/corrected/`, whose `tokio` is `rt`'s loom backend under the loom cfg), and
//! over the guide's originals (`crates/patterns/src/as_written/`) where their errata show:
//! - on every schedule (up to LOOM_MAX_PREEMPTIONS) each corrected program finishes, leaves no task
//!   running, and keeps its guarantees; the distinct outputs it prints are counted, and where a
//!   program can print more than one, the corrected guide says so;
//! - each Output block of the guide is one of the outputs its program can print: loom finds a
//!   schedule that prints it;
//! - the programs, built alone against tokio (`tests/guide/guide_programs.rs`) and run on the
//!   multi-thread runtime `#[tokio::main]` starts, print only outputs loom finds a schedule for: a
//!   check of the loom backend against tokio, whole program by whole program.
//!
//! Run with `bash ci/loom.sh loom_guide`.
use std::collections::{BTreeMap, BTreeSet};
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::{Arc, Mutex};
use std::time::Instant;

use crate::guide_programs;
use crate::loom_support::{interleaving, rejected, rejected_at, run_block};
use channel_patterns::{catalog, guide};
use patterns::{Transcript, as_written, capture, corrected, rt};
use pretty_assertions::assert_eq;

/// A block's `main`, as loom runs it.
type Main = fn() -> std::pin::Pin<Box<dyn std::future::Future<Output = ()>>>;

macro_rules! mains {
    ($($name:literal => $main:path,)*) => {
        /// The corrected programs loom runs: all but watch-idle-timeout, whose I/O is
        /// tokio's, which loom cannot see (its `main` is a driver over loopback TCP).
        const CORRECTED: &[(&str, Main)] = &[$(($name, || Box::pin($main()))),*];
    };
}

mains! {
    "mpsc-basic" => corrected::mpsc_basic::main,
    "mpsc-multi-producer" => corrected::mpsc_multi_producer::main,
    "mpsc-backpressure" => corrected::mpsc_backpressure::main,
    "mpsc-shutdown" => corrected::mpsc_shutdown::main,
    "oneshot-request-response" => corrected::oneshot_request_response::main,
    "oneshot-dropped-sender" => corrected::oneshot_dropped_sender::main,
    "oneshot-spawn-with-result" => corrected::oneshot_spawn_with_result::main,
    "broadcast-basic" => corrected::broadcast_basic::main,
    "broadcast-lagging" => corrected::broadcast_lagging::main,
    "broadcast-events" => corrected::broadcast_events::main,
    "watch-basic" => corrected::watch_basic::main,
    "watch-multi-receiver" => corrected::watch_multi_receiver::main,
    "watch-changed" => corrected::watch_changed::main,
    "select-shutdown" => corrected::select_shutdown::main,
    "app-shutdown" => corrected::app_shutdown::main,
    "state-machine" => corrected::state_machine::main,
}

fn corrected(name: &str) -> Main {
    CORRECTED
        .iter()
        .find(|(n, _)| *n == name)
        .unwrap_or_else(|| panic!("no corrected program {name} under loom"))
        .1
}

/// The preemption bound of the exploration: LOOM_MAX_PREEMPTIONS (3 in ci/loom.sh), and for
/// app-shutdown, whose four tasks each loop, at most 1: more is beyond CI's time.
fn bound(name: &str) -> usize {
    let env = std::env::var("LOOM_MAX_PREEMPTIONS")
        .ok()
        .and_then(|b| b.parse().ok())
        .unwrap_or(3);
    if name == "app-shutdown" {
        env.min(1)
    } else {
        env
    }
}

/// What loom found of a program: every distinct output, from this many interleavings.
struct Outputs {
    outputs: BTreeSet<Vec<String>>,
    interleavings: usize,
}

/// Explores the corrected program `name` at its [`bound`]: on every schedule it must finish
/// (no panic, not stuck, no task left running) and satisfy `holds`; returns the distinct
/// outputs, and prints how many, from how many interleavings, in how long.
fn explore(name: &'static str, holds: fn(&[String]) -> Result<(), String>) -> Outputs {
    explore_at(name, bound(name), holds)
}

/// [`explore`] at `preemptions`.
fn explore_at(
    name: &'static str,
    preemptions: usize,
    holds: fn(&[String]) -> Result<(), String>,
) -> Outputs {
    let main = corrected(name);
    let found = Arc::new(Mutex::new((BTreeSet::new(), 0usize)));
    let record = found.clone();
    let start = Instant::now();
    let mut builder = loom::model::Builder::new();
    builder.preemption_bound = Some(preemptions);
    builder.check(move || {
        let (lines, ran) = run_block(main);
        let why = interleaving(&lines, &ran);
        if let Err(e) = catch_unwind(AssertUnwindSafe(|| ran.finished())) {
            let message = e.downcast_ref::<String>().cloned().unwrap_or_default();
            panic!("{name}: {message}{why}");
        }
        if let Err(broken) = holds(&lines) {
            panic!("{name}: {broken}{why}");
        }
        let mut record = record.lock().unwrap();
        record.0.insert(lines);
        record.1 += 1;
    });
    let (outputs, interleavings) = std::mem::take(&mut *found.lock().unwrap());
    println!(
        "loom guide {name}: {} distinct outputs in {interleavings} interleavings \
         (at most {preemptions} preemptions) in {:.2?}",
        outputs.len(),
        start.elapsed()
    );
    Outputs {
        outputs,
        interleavings,
    }
}

/// Searches the schedules of `main` for one that prints `target` (exactly, or as its first lines
/// when `prefix`): first those with no preemption, then with at most one, then two, then with
/// no bound, so that an output is found among the fewest schedules that can print it (an app's
/// unusual order takes two preemptions, which an unbounded search may reach late), and any
/// output at all is found (backpressure's lines can need one preemption per hand-over). Loom
/// stops following a schedule at its first line that differs (`Transcript::expecting`), so
/// each level is short. Returns the bound of the level (`None`: no bound) and the number of
/// interleavings tried when one printed it; `None` if no schedule prints it, or none of the
/// first [`UNBOUNDED_TRIES`] with no bound: a runtime that cannot print it would otherwise
/// search for hours.
fn search(main: Main, target: &[String], prefix: bool) -> Option<(Option<usize>, usize)> {
    [Some(0), Some(1), Some(2), None]
        .into_iter()
        .find_map(|bound| search_at(main, target, prefix, bound).map(|tried| (bound, tried)))
}

/// Interleavings an unbounded [`search`] tries before it gives up: far more than any output
/// tokio prints takes (`multi_thread_runs_print_only_outputs_loom_finds` prints how many).
const UNBOUNDED_TRIES: usize = 10_000;

/// One level of [`search`]: the schedules with at most `preemptions` preemptions, or with no
/// bound the first [`UNBOUNDED_TRIES`].
fn search_at(
    main: Main,
    target: &[String],
    prefix: bool,
    preemptions: Option<usize>,
) -> Option<usize> {
    // The panic that ends a search is no failure: the hook stays quiet about it.
    static QUIET: std::sync::Once = std::sync::Once::new();
    QUIET.call_once(|| {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            if !info.payload().is::<Found>() {
                previous(info);
            }
        }));
    });
    let target = target.to_vec();
    let tried = Arc::new(Mutex::new(0usize));
    let count = tried.clone();
    let mut builder = loom::model::Builder::new();
    builder.preemption_bound = preemptions;
    if preemptions.is_none() {
        builder.max_permutations = Some(UNBOUNDED_TRIES);
    }
    let outcome = catch_unwind(AssertUnwindSafe(|| {
        builder.check(move || {
            *count.lock().unwrap() += 1;
            let out = Transcript::expecting(target.clone());
            let _ = capture::capture(&out, || rt::task::run(main()));
            let lines = out.lines();
            let printed = if prefix {
                lines.starts_with(&target)
            } else {
                lines == target
            };
            // Found: end the search (a panic is how a loom model stops early).
            if printed {
                std::panic::panic_any(Found);
            }
        });
    }));
    let tried = *tried.lock().unwrap();
    match outcome {
        Err(panic) if panic.is::<Found>() => Some(tried),
        Err(panic) => std::panic::resume_unwind(panic),
        Ok(()) => None,
    }
}

/// A bound of [`search`], as its messages say it: `at most 2`, `no bound`.
fn preemptions(bound: Option<usize>) -> String {
    bound.map_or("no bound".to_string(), |b| format!("at most {b}"))
}

/// The panic that ends a [`search`] that found its output.
struct Found;

fn lines(ls: &[&str]) -> Vec<String> {
    ls.iter().map(|l| l.to_string()).collect()
}

/// The one output of a program that has one: what the report's runtime prints.
fn only(name: &str) -> impl Fn(&[String]) -> Result<(), String> {
    let expected = lines(catalog::find(name).unwrap().expected);
    move |printed| {
        if printed == expected {
            Ok(())
        } else {
            Err(format!("printed {printed:?}"))
        }
    }
}

macro_rules! one_output {
    ($($test:ident: $name:literal;)*) => {$(
        /// On every schedule the program prints the same: the report's output.
        #[test]
        fn $test() {
            fn holds(printed: &[String]) -> Result<(), String> {
                only($name)(printed)
            }
            assert_eq!(explore($name, holds).outputs.len(), 1);
        }
    )*};
}

one_output! {
    mpsc_basic_every_message_arrives_once_in_order: "mpsc-basic";
    mpsc_shutdown_the_worker_stops_between_units: "mpsc-shutdown";
    oneshot_request_response_the_reply_arrives: "oneshot-request-response";
    oneshot_dropped_sender_is_always_observed: "oneshot-dropped-sender";
    oneshot_spawn_with_result_delivers_the_output: "oneshot-spawn-with-result";
    broadcast_basic_both_receivers_get_the_message: "broadcast-basic";
    broadcast_lagging_counts_the_lag_exactly_and_ends: "broadcast-lagging";
    watch_basic_a_read_sees_the_latest_send: "watch-basic";
    watch_multi_receiver_both_see_each_value: "watch-multi-receiver";
    watch_changed_sees_each_value_once_in_order: "watch-changed";
    select_shutdown_processes_every_accepted_item: "select-shutdown";
    state_machine_handles_every_command: "state-machine";
}

/// `lines` holds each of `groups`' lines once, each group's in its order, and nothing else.
fn merge_of(printed: &[String], groups: &[&[&str]]) -> Result<(), String> {
    let mut all: Vec<&str> = groups.iter().flat_map(|g| g.iter().copied()).collect();
    all.sort_unstable();
    let mut sorted: Vec<&str> = printed.iter().map(String::as_str).collect();
    sorted.sort_unstable();
    if sorted != all {
        return Err(format!("a line lost, repeated or invented: {printed:?}"));
    }
    for group in groups {
        let order: Vec<&str> = printed
            .iter()
            .map(String::as_str)
            .filter(|l| group.contains(l))
            .collect();
        if order != *group {
            return Err(format!("{group:?} out of order: {printed:?}"));
        }
    }
    Ok(())
}

/// The three producers' lines come in any order: all six, and each line once.
#[test]
fn mpsc_multi_producer_prints_each_line_once_in_any_of_the_six_orders() {
    fn holds(printed: &[String]) -> Result<(), String> {
        merge_of(
            printed,
            &[
                &["Hello from task 0"],
                &["Hello from task 1"],
                &["Hello from task 2"],
            ],
        )
    }
    assert_eq!(explore("mpsc-multi-producer", holds).outputs.len(), 6);
}

/// Each subscriber prints its own lines in order; the two subscribers' lines interleave in any
/// of the ten ways three and two lines can.
#[test]
fn broadcast_events_every_subscriber_sees_every_event_in_order() {
    fn holds(printed: &[String]) -> Result<(), String> {
        merge_of(
            printed,
            &[
                &[
                    "[LOG] UserLoggedIn(\"alice\")",
                    "[LOG] UserLoggedIn(\"bob\")",
                    "[LOG] MessageSent { from: \"alice\", to: \"bob\" }",
                ],
                &["[ANALYTICS] Total logins: 1", "[ANALYTICS] Total logins: 2"],
            ],
        )
    }
    assert_eq!(explore("broadcast-events", holds).outputs.len(), 10);
}

/// Every worker says it received the shutdown before main says it completed, and all three
/// do.
fn app_shutdown_holds(printed: &[String]) -> Result<(), String> {
    merge_of(
        printed,
        &[
            &["worker-1: received shutdown", "worker-1 completed shutdown"],
            &["worker-2: received shutdown", "worker-2 completed shutdown"],
            &["worker-3: received shutdown", "worker-3 completed shutdown"],
        ],
    )
}

/// The app keeps its guarantee on every schedule. At one preemption, all CI has time for with
/// four looping tasks, loom meets 60 of the 90 orders that keep each worker's two lines in
/// order; at two it meets all 90 (below, in deep mode).
#[test]
fn app_shutdown_every_worker_stops_and_reports() {
    let found = explore("app-shutdown", app_shutdown_holds);
    assert!(found.outputs.len() > 1, "{}", found.interleavings);
}

/// The app prints any order of its six lines that keeps each worker's two in order: all 90,
/// found at two preemptions (1.5 million interleavings: deep mode, `ci/deep.sh`).
#[test]
#[ignore = "deep mode: minutes of loom"]
fn app_shutdown_prints_each_of_the_90_orders() {
    let found = explore_at("app-shutdown", 2, app_shutdown_holds);
    let lines: Vec<String> = (1..=3)
        .flat_map(|w| {
            [
                format!("worker-{w}: received shutdown"),
                format!("worker-{w} completed shutdown"),
            ]
        })
        .collect();
    let mut orders = Vec::new();
    permutations(&lines, &mut Vec::new(), &mut orders);
    let orders: BTreeSet<Vec<String>> = orders
        .into_iter()
        .filter(|order| app_shutdown_holds(order).is_ok())
        .collect();
    assert_eq!(orders.len(), 90);
    assert_eq!(found.outputs, orders);
}

/// Every order of `rest`, after `prefix`, into `out`.
fn permutations(rest: &[String], prefix: &mut Vec<String>, out: &mut Vec<Vec<String>>) {
    if rest.is_empty() {
        out.push(prefix.clone());
    }
    for (i, line) in rest.iter().enumerate() {
        let mut others = rest.to_vec();
        others.remove(i);
        prefix.push(line.clone());
        permutations(&others, prefix, out);
        prefix.pop();
    }
}

/// Backpressure, on every schedule: every message processed once, in order; the producer's
/// lines in order; and the bound the guide means to show: message i is accepted ("Sent i")
/// only once the consumer has received message i - 2, which it prints right after receiving
/// it, so "Sent i" always comes after "Processing i - 3"; but not always after
/// "Processing i - 2", since the consumer prints after it has received (E13).
fn backpressure_holds(printed: &[String]) -> Result<(), String> {
    let processing: Vec<String> = (0..10).map(|i| format!("Processing {i}")).collect();
    let producer: Vec<String> = (0..10)
        .flat_map(|i| [format!("Sending {i}"), format!("Sent {i}")])
        .collect();
    let groups: Vec<&[String]> = vec![&processing, &producer];
    let as_str: Vec<Vec<&str>> = groups
        .iter()
        .map(|g| g.iter().map(String::as_str).collect())
        .collect();
    let refs: Vec<&[&str]> = as_str.iter().map(Vec::as_slice).collect();
    merge_of(printed, &refs)?;
    let at = |line: String| printed.iter().position(|l| *l == line);
    for i in 3..10 {
        if at(format!("Sent {i}")) < at(format!("Processing {}", i - 3)) {
            return Err(format!("message {i} accepted before {} was taken", i - 3));
        }
    }
    Ok(())
}

/// E13: many outputs, all within the bound; and "Sent i" before "Processing i - 2" is one of
/// them, so the printed lines show the bound one step weaker than the channel's.
#[test]
fn mpsc_backpressure_keeps_its_bound_on_every_schedule_and_prints_many_outputs() {
    let found = explore("mpsc-backpressure", backpressure_holds);
    assert!(found.outputs.len() > 1);
    let ahead_by_three = found.outputs.iter().any(|printed| {
        let at = |line: String| printed.iter().position(|l| *l == line);
        (2..10).any(|i| at(format!("Sent {i}")) < at(format!("Processing {}", i - 2)))
    });
    assert!(
        ahead_by_three,
        "no schedule printed Sent i before Processing i - 2"
    );
}

/// Each Output block of the guide (the corrected guide keeps both) is printed by its program
/// on some schedule: the backpressure block as the first lines of an output, the lagging one
/// whole.
#[test]
fn every_output_block_is_one_of_the_outputs_loom_finds() {
    for p in catalog::PATTERNS {
        let Some(block) = guide::documented_output(guide::CORRECTED, p.chapter, p.heading) else {
            continue;
        };
        let start = Instant::now();
        let Some((bound, tried)) = search(corrected(p.name), &block.lines, block.continues) else {
            panic!(
                "{}: no schedule prints the Output block (of those with at most 2 \
                 preemptions and the first {UNBOUNDED_TRIES} with no bound)",
                p.name
            );
        };
        println!(
            "loom guide {}: the Output block found (preemptions: {}) after {tried} \
             interleavings, in {:.2?}",
            p.name,
            preemptions(bound),
            start.elapsed()
        );
    }
}

/// Runs each corrected program on tokio's multi-thread runtime, built alone against tokio as
/// a reader would build it, `RUNS` times (4 at once, so that the runs disturb each other's
/// schedules), and checks that each distinct output it printed is one loom finds a schedule
/// for. Prints, per program, how many distinct outputs the runs gave.
///
/// This is real time, and what loom models is paused time: on a machine so loaded that a task
/// woken at once is not run for 100 ms, a program paced by sleeps could print what no paused
/// schedule prints. The 100 ms between the guide's sleeps is four orders of magnitude more than
/// a wake-up takes here.
#[test]
fn multi_thread_runs_print_only_outputs_loom_finds() {
    const RUNS: usize = 16;
    const AT_ONCE: usize = 4;
    let binaries = guide_programs::build_corrected_programs();
    for (name, main) in CORRECTED {
        let (_, binary) = binaries.iter().find(|(n, _)| n == name).unwrap();
        let mut seen: BTreeMap<Vec<String>, usize> = BTreeMap::new();
        for _ in 0..RUNS / AT_ONCE {
            let runs: Vec<_> = (0..AT_ONCE)
                .map(|_| {
                    let binary = binary.clone();
                    std::thread::spawn(move || guide_programs::run_program(&binary, 30))
                })
                .collect();
            for run in runs {
                *seen.entry(run.join().unwrap()).or_default() += 1;
            }
        }
        let start = Instant::now();
        let (mut most, mut most_tries) = (Some(0), 0);
        for (printed, times) in &seen {
            let Some((bound, tries)) = search(*main, printed, false) else {
                panic!(
                    "{name}: tokio printed an output loom finds no schedule for ({times} of \
                     {RUNS} runs; searched: at most 2 preemptions, and the first \
                     {UNBOUNDED_TRIES} with no bound):\n{printed:#?}"
                );
            };
            most = most.zip(bound).map(|(a, b)| a.max(b));
            most_tries = most_tries.max(tries);
        }
        println!(
            "loom guide {name}: {RUNS} multi-thread runs, {} distinct outputs, each found by \
             loom (preemptions: {}; interleavings: at most {most_tries}) in {:.2?}",
            seen.len(),
            preemptions(most),
            start.elapsed()
        );
    }
}

// The guide's programs as written, rejected where their errata show.

/// E02: the guide's lagging loop waits for `Closed` while its own sender is alive: stuck on
/// every schedule.
#[test]
fn e02_the_guides_lagging_loop_is_stuck() {
    let message = rejected("E02: the guide's lagging loop", || {
        let (_, ran) = run_block(as_written::broadcast_lagging::main);
        ran.finished();
    });
    assert!(
        message.starts_with("stuck: every task waits for ever"),
        "{message}"
    );
}

/// E03: the guide's app panics on the state `send(..).unwrap()`; searched at the app's bound,
/// as the corrected app is.
#[test]
fn e03_the_guides_app_panics() {
    let message = rejected_at("E03: the guide's app", Some(bound("app-shutdown")), || {
        let _ = run_block(as_written::app_shutdown::main);
    });
    assert!(message.contains("SendError"), "{message}");
}

/// E06: the guide's events example returns with its subscribers still running.
#[test]
fn e06_the_guides_events_leave_their_subscribers_running() {
    let message = rejected("E06: the guide's events", || {
        let (_, ran) = run_block(as_written::broadcast_events::main);
        ran.finished();
    });
    assert!(
        message.starts_with("main returned with tasks still running"),
        "{message}"
    );
}

/// E07: the guide's state machine returns with its manager still running.
#[test]
fn e07_the_guides_state_machine_leaves_its_manager_running() {
    let message = rejected("E07: the guide's state machine", || {
        let (_, ran) = run_block(as_written::state_machine::main);
        ran.finished();
    });
    assert!(
        message.starts_with("main returned with tasks still running"),
        "{message}"
    );
}

/// E13: the guide's Output block for backpressure is not what its code prints on every
/// schedule.
#[test]
fn e13_the_guides_backpressure_output_is_one_of_several() {
    let p = catalog::find("mpsc-backpressure").unwrap();
    let block = guide::documented_output(guide::TEXT, p.chapter, p.heading).unwrap();
    let message = rejected(
        "E13: the guide's Output block on every schedule",
        move || {
            let (printed, ran) = run_block(as_written::mpsc_backpressure::main);
            assert!(
                block.matches(&printed),
                "the Output block is not what this schedule printed:{}",
                interleaving(&printed, &ran)
            );
        },
    );
    assert!(message.contains("the Output block is not"), "{message}");
}

/// E07: without its sleep, the guide's state machine prints none, one, two or all three of its
/// lines, as the schedule goes: on a current-thread runtime none (`tests/guide/errata.rs`), on a
/// multi-thread one whatever the manager gets to before `main` returns.
#[test]
fn e07_without_the_sleep_the_state_machine_prints_any_part_of_its_output() {
    let found = Arc::new(Mutex::new(BTreeSet::new()));
    let record = found.clone();
    loom::model(move || {
        let (printed, _) = run_block(test_support::state_machine_without_sleep::main);
        record.lock().unwrap().insert(printed.len());
    });
    let found: Vec<usize> = found.lock().unwrap().iter().copied().collect();
    println!("loom guide E07: without the sleep, lines printed on some schedule: {found:?}");
    assert_eq!(found, [0, 1, 2, 3]);
}
