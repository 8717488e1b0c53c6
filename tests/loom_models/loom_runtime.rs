//! Loom over the loom backend's runtime itself (`rt::task`, `rt::time`): what a pattern sees of
//! a task's end, of a yield, of virtual time, and of a run that gets stuck or leaves tasks
//! behind. The loom
//! pattern suites rely on all of it; here each piece is checked on its own, and against what
//! tokio (1.54) does where tokio has the same thing. Run with `bash ci/loom.sh loom_runtime`.
#![cfg(channel_patterns_loom)]

use crate::loom_support;

use std::future::Future;
use std::pin::pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering::SeqCst};
use std::task::{Context, Poll, Wake, Waker};
use std::time::Duration;

use loom_support::explore;
use patterns::rt::{self, sync::oneshot, task, time};

/// This file, as `Location::caller` names it in the runtime's reports.
const FILE: &str = file!();

/// A waker that counts its wake-ups.
#[derive(Default)]
struct Count(AtomicUsize);

impl Wake for Count {
    fn wake(self: Arc<Self>) {
        self.0.fetch_add(1, SeqCst);
    }
}

/// Polls `future` once with a counting waker: whether it was ready, and how many wake-ups that
/// poll gave.
fn poll_once<F: Future>(future: std::pin::Pin<&mut F>) -> (bool, usize) {
    let count = Arc::new(Count::default());
    let waker = Waker::from(count.clone());
    let ready = future.poll(&mut Context::from_waker(&waker)).is_ready();
    (ready, count.0.load(SeqCst))
}

/// A task's panic comes back from its `JoinHandle` as a `JoinError` that says so, and prints as
/// tokio's does (`task/error.rs` in tokio 1.54), with the task's number as its id; a payload
/// that is not a string prints without a message, and `into_panic` hands the payload back.
#[test]
fn a_panicked_task_s_join_error_reads_as_tokio_s() {
    explore("JoinError of a panic", || {
        task::run(async {
            let e = rt::spawn(async { panic!("boom") }).await.unwrap_err();
            assert!(e.is_panic(), "{e:?}");
            assert!(!e.is_cancelled(), "{e:?}");
            assert_eq!(e.to_string(), r#"task 1 panicked with message "boom""#);
            assert_eq!(format!("{e:?}"), r#"JoinError::Panic(Id(1), "boom", ...)"#);

            let n = 2;
            let e = rt::spawn(async move { panic!("boom {n}") })
                .await
                .unwrap_err();
            assert_eq!(e.to_string(), r#"task 2 panicked with message "boom 2""#);

            let e = rt::spawn(async { std::panic::panic_any(7_u8) })
                .await
                .unwrap_err();
            assert_eq!(e.to_string(), "task 3 panicked");
            assert_eq!(format!("{e:?}"), "JoinError::Panic(Id(3), ...)");
            assert_eq!(e.into_panic().downcast_ref::<u8>(), Some(&7));
        })
        .finished();
    });
}

/// A task spawned while the run is ending (by a task in the middle of its poll when main
/// returned) is cancelled before it starts: its `JoinError` says so as tokio's does, and the
/// run names it among the tasks left running, with where it was spawned. Loom starts a new
/// thread only when the running one blocks, here at the run's end, so task 1 always makes its
/// first poll, and its spawn, after main returned.
#[test]
fn a_task_spawned_as_the_run_ends_is_cancelled() {
    static LINE: AtomicUsize = AtomicUsize::new(0);
    explore("JoinError of a cancelled task", || {
        let ran = task::run(async {
            rt::spawn(async {
                let (late, line) = (rt::spawn(async {}), line!());
                LINE.store(line as usize, SeqCst);
                let e = late.await.expect_err("task 2 ran after main returned");
                assert!(e.is_cancelled(), "{e:?}");
                assert!(!e.is_panic(), "{e:?}");
                assert_eq!(e.to_string(), "task 2 was cancelled");
                assert_eq!(format!("{e:?}"), "JoinError::Cancelled(Id(2))");
            });
        });
        // Task 1 finished (a panic of its assertions is caught as its output), task 2 never
        // started.
        assert_eq!(
            ran.left_running,
            [format!("task 2 (spawned at {FILE}:{})", LINE.load(SeqCst))],
            "schedule: {}",
            ran.schedule.join(", ")
        );
        assert!(
            ran.schedule.contains(&"task 1 finished".to_string()),
            "task 1's checks failed: {:?}",
            ran.schedule
        );
    });
}

/// A task still waiting when main returns is cancelled, and the run names it, with where it
/// was spawned; main's output is still there.
#[test]
fn a_task_left_waiting_is_named_with_where_it_was_spawned() {
    explore("task left running", || {
        let mut line = 0;
        let ran = task::run(async {
            let (keep, never) = oneshot::channel::<()>();
            let (_waiter, at) = (rt::spawn(never), line!());
            line = at;
            keep
        });
        assert!(ran.output.is_some(), "main finished");
        assert_eq!(
            ran.left_running,
            [format!("task 1 (spawned at {FILE}:{line})")]
        );
        assert_eq!(ran.stuck, None);
    });
}

/// When every task waits on something no task will ever do, the run is stuck, and its report
/// names each waiting task (with where it was spawned) and what it waits on. It is found
/// whichever ends last: a task that finishes and leaves only waiters behind (task 2 here, if
/// it finishes after main waits), or a task that starts waiting (main, if task 2 finished
/// first).
#[test]
fn a_run_where_every_task_waits_is_stuck_and_says_on_what() {
    explore("stuck run", || {
        let mut line = 0;
        let ran = task::run(async {
            let (_keep, never) = oneshot::channel::<()>();
            let (_keep_too, never_either) = oneshot::channel::<()>();
            let (_waiter, at) = (rt::spawn(never), line!());
            line = at;
            rt::spawn(async { task::yield_now().await });
            never_either.await
        });
        assert!(ran.output.is_none(), "main cannot finish");
        assert!(ran.left_running.is_empty(), "{:?}", ran.left_running);
        assert_eq!(
            ran.stuck,
            Some(vec![
                "main waits on oneshot::Receiver".to_string(),
                format!("task 1 (spawned at {FILE}:{line}) waits on oneshot::Receiver"),
            ]),
            "schedule: {}",
            ran.schedule.join(", ")
        );
        assert!(
            ran.schedule.contains(&"task 2 finished".to_string()),
            "{:?}",
            ran.schedule
        );
    });
}

/// `yield_now` gives way once, as tokio's does: pending at the first poll, having woken its own
/// task, and ready at the next; the clock does not move, since the task never stopped being
/// runnable. `sleep` of zero, or until a deadline that has passed, has nothing to wait for and
/// is ready at once.
#[test]
fn yield_now_gives_way_once_without_moving_the_clock() {
    explore("yield_now", || {
        let ran = task::run(async {
            let mut yielded = pin!(task::yield_now());
            assert_eq!(
                poll_once(yielded.as_mut()),
                (false, 1),
                "yield_now, first poll"
            );
            assert_eq!(
                poll_once(yielded.as_mut()),
                (true, 0),
                "yield_now, second poll"
            );
            let start = time::Instant::now();
            let mut zero = pin!(time::sleep(Duration::ZERO));
            assert_eq!(poll_once(zero.as_mut()), (true, 0), "sleep(0)");
            let mut past = pin!(time::sleep_until(start));
            assert_eq!(poll_once(past.as_mut()), (true, 0), "sleep_until(now)");
        });
        assert_eq!(ran.elapsed, Duration::ZERO);
        ran.finished();
    });
}

/// tokio's paused-time rule: a sleep does not wake its task by itself; when every task waits,
/// the clock jumps to the earliest deadline and wakes the tasks due then. So the task with the
/// shorter sleep goes on first, `Instant` reads the deadlines exactly, and the run takes as much
/// virtual time as its longest chain of sleeps.
#[test]
fn the_clock_jumps_to_the_earliest_deadline_when_every_task_waits() {
    explore("virtual time, in deadline order", || {
        let ran = task::run(async {
            let start = time::Instant::now();
            let (tx, mut rx) = rt::sync::mpsc::channel(4);
            for ms in [300, 100, 200] {
                let tx = tx.clone();
                rt::spawn(async move {
                    time::sleep(Duration::from_millis(ms)).await;
                    tx.send((ms, start.elapsed())).await.unwrap();
                });
            }
            drop(tx);
            let mut woke = Vec::new();
            while let Some(at) = rx.recv().await {
                woke.push(at);
            }
            woke
        });
        let ms = Duration::from_millis;
        assert_eq!(ran.elapsed, ms(300));
        assert_eq!(
            ran.finished(),
            [(100, ms(100)), (200, ms(200)), (300, ms(300))]
        );
    });
}

/// Two tasks due at the same instant are woken together, and loom explores both orders in
/// which they then run.
#[test]
fn deadlines_at_the_same_instant_are_a_choice() {
    let orders = Arc::new(std::sync::Mutex::new(std::collections::BTreeSet::new()));
    let seen = orders.clone();
    explore("virtual time, equal deadlines", move || {
        let order = task::run(async {
            let (tx, mut rx) = rt::sync::mpsc::channel(2);
            for name in ["a", "b"] {
                let tx = tx.clone();
                rt::spawn(async move {
                    time::sleep(Duration::from_millis(100)).await;
                    tx.send(name).await.unwrap();
                });
            }
            drop(tx);
            let mut order = String::new();
            while let Some(name) = rx.recv().await {
                order.push_str(name);
            }
            order
        })
        .finished();
        seen.lock().unwrap().insert(order);
    });
    let orders: Vec<String> = orders.lock().unwrap().iter().cloned().collect();
    assert_eq!(orders, ["ab", "ba"]);
}

/// A run that waits while a sleep is pending is not stuck: time moves. A sleep that lost a
/// `select!` is dropped, and its deadline no longer counts, as with tokio's timer. `reset`
/// moves a deadline.
#[test]
fn waiting_with_a_sleep_pending_is_not_stuck_and_a_dropped_sleep_does_not_count() {
    explore("virtual time, waiting for a sleeper", || {
        let ran = task::run(async {
            let (tx, rx) = oneshot::channel();
            rt::spawn(async move {
                time::sleep(Duration::from_secs(30)).await;
                tx.send("late").unwrap();
            });
            rt::select! {
                biased;
                value = rx => value.unwrap(),
                () = time::sleep(Duration::from_secs(50)) => "timed out",
            }
        });
        assert_eq!(ran.elapsed, Duration::from_secs(30));
        assert_eq!(ran.finished(), "late");
    });
    explore("virtual time, reset", || {
        let ran = task::run(async {
            let start = time::Instant::now();
            let mut sleep = pin!(time::sleep(Duration::from_secs(10)));
            assert!(!sleep.is_elapsed());
            sleep.as_mut().reset(start + Duration::from_secs(2));
            assert_eq!(sleep.deadline() - start, Duration::from_secs(2));
            sleep.await;
            start.elapsed()
        });
        assert_eq!(ran.finished(), Duration::from_secs(2));
    });
}

/// A program that only time would end (a loop of sleeps waiting for a signal that never
/// comes) stops at the run's horizon, stuck, and the report says so and names the sleep.
#[test]
fn a_run_past_its_horizon_is_stuck_and_says_so() {
    explore("virtual time, the horizon", || {
        let ran = task::run_for(Duration::from_secs(1), async {
            loop {
                time::sleep(Duration::from_millis(300)).await;
            }
        });
        assert_eq!(ran.elapsed, Duration::from_millis(900));
        assert_eq!(
            ran.stuck,
            Some(vec![
                "the next deadline is past the run's horizon of 1s".to_string(),
                "main waits on sleep until 1.2s".to_string()
            ])
        );
    });
}

/// A task polled again and again without ever waiting (here a future that wakes itself each
/// time) would spin for ever under loom, which sees no operation of its own in the loop; the
/// runtime stops it at its budget of polls with a message instead.
#[test]
fn a_busy_loop_fails_the_model_with_a_message() {
    let message = loom_support::rejected("a busy loop", || {
        let _ = task::run(std::future::poll_fn(|cx| {
            cx.waker().wake_by_ref();
            std::task::Poll::<()>::Pending
        }));
    });
    assert_eq!(
        message,
        format!(
            "main was polled {} times: a busy loop",
            task::POLLS_PER_TASK
        )
    );
}

/// What a program computes from `Instant`s and a `Sleep` around a sleep of one second, written
/// once for tokio's `time` and for the runtime's: every operation of `Instant`, both ways
/// round, with the instants taken relative to the start (the two clocks start at different
/// points).
macro_rules! instant_facts {
    ($($time:ident)::+) => {
        async {
            use $($time)::+::{Instant, sleep};
            let start = Instant::now();
            let mut sleep = pin!(sleep(Duration::from_secs(1)));
            let before = sleep.is_elapsed();
            sleep.as_mut().await;
            let now = Instant::now();
            let half = Duration::from_millis(500);
            let mut moved = start;
            moved += Duration::from_millis(250);
            (
                (before, sleep.is_elapsed()),
                (now.duration_since(start), start.duration_since(now)),
                (now.checked_duration_since(start), start.checked_duration_since(now)),
                (now.saturating_duration_since(start), start.saturating_duration_since(now)),
                (now.checked_add(half).map(|i| i - start), now.checked_sub(half).map(|i| i - start)),
                (now.checked_add(Duration::MAX), now.checked_sub(Duration::MAX)).eq(&(None, None)),
                (now + half - start, now - half - start, moved - start),
                (now - start, start - now, start.elapsed()),
            )
        }
    };
}

/// `Instant` and `Sleep` answer as tokio's do on its paused clock: the same program, on both,
/// computes the same durations, and the sleep is elapsed exactly when tokio's is.
#[test]
fn instant_and_sleep_answer_as_tokio_s_on_its_paused_clock() {
    let tokio = channel_patterns::conformance::paused_runtime()
        .unwrap()
        .block_on(instant_facts!(tokio::time));
    explore("Instant against tokio's", move || {
        let ran = task::run(instant_facts!(time));
        assert_eq!(ran.elapsed, Duration::from_secs(1));
        assert_eq!(ran.finished(), tokio);
    });
}

/// Runs `f` when dropped: what a task's future leaves behind when it is dropped (aborted)
/// rather than finished.
struct OnDrop<F: FnOnce()>(Option<F>);

impl<F: FnOnce()> Drop for OnDrop<F> {
    fn drop(&mut self) {
        if let Some(f) = self.0.take() {
            f();
        }
    }
}

/// Runs the program `$facts!` on tokio with paused time (given tokio's path) and in every
/// interleaving loom explores on the runtime (given the runtime's path): each must compute what
/// tokio did. Returns tokio's answer.
macro_rules! as_on_tokio {
    ($name:literal, $facts:ident, $($tokio:ident)::+ ; $($ours:ident)::+) => {{
        let tokio = channel_patterns::conformance::paused_runtime()
            .unwrap()
            .block_on($facts!($($tokio)::+));
        let expected = tokio.clone();
        explore($name, move || {
            let ran = task::run($facts!($($ours)::+));
            assert_eq!(ran.finished(), expected);
        });
        tokio
    }};
}

/// What a program sees of `timeout`, `timeout_at` and a sleep too long to represent, written
/// once for tokio's `time` and for the runtime's: each timeout's result (its error as text) and
/// the virtual time it ended at, relative to the start.
macro_rules! timeout_facts {
    ($($time:ident)::+) => {
        async {
            use std::future::{pending, ready};
            use $($time)::+::{Instant, sleep, timeout, timeout_at};
            let start = Instant::now();
            let s = Duration::from_secs;
            let mut facts = Vec::new();
            let mut note = |result: Result<u8, String>| facts.push((result, start.elapsed()));
            let text = |e: $($time)::+::error::Elapsed| e.to_string();
            note(timeout(s(2), async { sleep(s(1)).await; 1 }).await.map_err(text));
            note(timeout(s(2), async { sleep(s(2)).await; 2 }).await.map_err(text));
            note(timeout(s(2), async { sleep(s(3)).await; 3 }).await.map_err(text));
            note(timeout(Duration::ZERO, ready(4)).await.map_err(text));
            note(timeout(Duration::ZERO, pending::<u8>()).await.map_err(text));
            note(timeout(Duration::MAX, ready(6)).await.map_err(text));
            note(timeout_at(start + s(9), pending::<u8>()).await.map_err(text));
            let ready_at = timeout(s(1), ready(8));
            let get_ref = format!("{:?}", ready_at.get_ref());
            note(ready_at.await.map_err(text));
            let far = sleep(Duration::MAX).deadline() - Instant::now();
            (facts, get_ref, far)
        }
    };
}

/// `timeout` and `timeout_at` answer as tokio's do on its paused clock: a future done before
/// the deadline, or at the deadline itself (it is polled first), gives its output; one not done
/// gives `Elapsed` at the deadline; a duration too long to add is tokio's far future.
#[test]
fn timeout_answers_as_tokio_s_on_its_paused_clock() {
    as_on_tokio!("timeout against tokio's", timeout_facts, tokio::time; time);
}

/// What a program sees of an `interval`, written once for tokio's `time` and for the runtime's:
/// each tick's deadline and the time it was taken (relative to the start) through a run of
/// ticks on time, late under each `MissedTickBehavior` (by more than tokio's 5 ms of slack, and
/// by exactly that), after each kind of reset, and from `interval_at`; the behavior it reports;
/// and the panic of a zero period.
macro_rules! interval_facts {
    ($($time:ident)::+) => {
        async {
            use $($time)::+::{Instant, MissedTickBehavior, interval, interval_at, sleep};
            let start = Instant::now();
            let ms = Duration::from_millis;
            let mut ticks = Vec::new();
            let mut every = interval(ms(100));
            let (period, behavior) = (every.period(), every.missed_tick_behavior());
            macro_rules! take {
                ($n:expr) => {
                    for _ in 0..$n {
                        let due = every.tick().await;
                        ticks.push((due - start, start.elapsed()));
                    }
                };
            }
            take!(3);
            sleep(ms(350)).await;
            take!(5);
            every.set_missed_tick_behavior(MissedTickBehavior::Delay);
            sleep(ms(250)).await;
            take!(2);
            // Late by tokio's slack exactly: not late.
            sleep(ms(105)).await;
            take!(2);
            every.set_missed_tick_behavior(MissedTickBehavior::Skip);
            let skip = format!("{:?}", every.missed_tick_behavior());
            sleep(ms(330)).await;
            take!(3);
            sleep(ms(30)).await;
            every.reset();
            take!(1);
            every.reset_immediately();
            take!(1);
            every.reset_after(ms(30));
            take!(1);
            every.reset_at(Instant::now() + ms(7));
            take!(2);
            every.reset_after(Duration::MAX);
            let far = every.tick();
            let mut far = std::pin::pin!(far);
            let never = std::future::poll_fn(|cx| Poll::Ready(far.as_mut().poll(cx).is_pending()));
            let pending = never.await;
            let mut later = interval_at(start + ms(5_000), Duration::MAX);
            let first = later.tick().await - start;
            let zero = std::panic::catch_unwind(|| interval(Duration::ZERO)).map_err(|payload| {
                payload
                    .downcast_ref::<&str>()
                    .map(|s| s.to_string())
                    .or_else(|| payload.downcast_ref::<String>().cloned())
            });
            (ticks, period, behavior == MissedTickBehavior::Burst, skip, pending, first, later.period(), zero.err())
        }
    };
}

/// `interval` and `interval_at` tick as tokio's do on its paused clock: the same program, on
/// both, takes the same ticks at the same times, and a zero period panics with tokio's message.
#[test]
fn interval_ticks_as_tokio_s_on_its_paused_clock() {
    as_on_tokio!("interval against tokio's", interval_facts, tokio::time; time);
}

/// One step of a task's random timeline (durations in milliseconds).
#[derive(Clone, Debug)]
enum Step {
    Sleep(u64),
    /// Until this long after the timeline's start.
    SleepUntil(u64),
    /// A sleep of `work` under a timeout of `limit`.
    Timeout {
        limit: u64,
        work: u64,
    },
    /// An interval of `period` with a behavior (0 Burst, 1 Delay, 2 Skip), taking a tick before
    /// each of `works` and then sleeping that long: late ticks when the work outlasts the period.
    Ticks {
        period: u64,
        behavior: u8,
        works: Vec<u64>,
    },
}

fn steps() -> impl proptest::strategy::Strategy<Value = Vec<Step>> {
    use proptest::prelude::*;
    let step = prop_oneof![
        (0..30u64).prop_map(Step::Sleep),
        (0..90u64).prop_map(Step::SleepUntil),
        (0..30u64, 0..30u64).prop_map(|(limit, work)| Step::Timeout { limit, work }),
        (1..20u64, 0..3u8, proptest::collection::vec(0..45u64, 1..5)).prop_map(
            |(period, behavior, works)| Step::Ticks {
                period,
                behavior,
                works
            }
        ),
    ];
    proptest::collection::vec(step, 0..5)
}

/// What a task sees of its timeline, written once for tokio's `time` and for the runtime's:
/// after each step, what it gave and when, relative to the timeline's start.
macro_rules! timeline {
    ($($time:ident)::+, $steps:expr) => {
        async move {
            use $($time)::+::{Instant, MissedTickBehavior, interval, sleep, sleep_until, timeout};
            let start = Instant::now();
            let ms = Duration::from_millis;
            let mut seen = Vec::new();
            for step in $steps {
                match step {
                    Step::Sleep(d) => sleep(ms(d)).await,
                    Step::SleepUntil(t) => sleep_until(start + ms(t)).await,
                    Step::Timeout { limit, work } => {
                        let done = timeout(ms(limit), sleep(ms(work))).await.is_ok();
                        seen.push(format!("timeout done: {done}"));
                    }
                    Step::Ticks { period, behavior, works } => {
                        let mut ticks = interval(ms(period));
                        ticks.set_missed_tick_behavior(match behavior {
                            0 => MissedTickBehavior::Burst,
                            1 => MissedTickBehavior::Delay,
                            _ => MissedTickBehavior::Skip,
                        });
                        for work in works {
                            let deadline = ticks.tick().await;
                            seen.push(format!("tick due at {:?}", deadline - start));
                            seen.push(format!("at {:?}", start.elapsed()));
                            sleep(ms(work)).await;
                        }
                    }
                }
                seen.push(format!("at {:?}", start.elapsed()));
            }
            seen
        }
    };
}

/// Two timelines at once, the main task's and a spawned task's, each task's as it saw it.
macro_rules! timelines {
    ($($root:ident)::+, $mine:expr, $its:expr) => {{
        let (mine, its): (Vec<Step>, Vec<Step>) = ($mine, $its);
        async move {
            let other = $($root)::+::spawn(timeline!($($root)::+::time, its));
            let mine = timeline!($($root)::+::time, mine).await;
            (mine, other.await.unwrap())
        }
    }};
}

proptest::proptest! {
    // 256 cases, or `PROPTEST_CASES`; a failure is shrunk and printed, not written to a file.
    #![proptest_config(proptest::prelude::ProptestConfig {
        failure_persistence: None,
        ..proptest::prelude::ProptestConfig::default()
    })]

    /// `sleep`, `sleep_until`, `timeout` and `interval` (each `MissedTickBehavior`) answer as
    /// tokio's do on its paused clock, in random timelines of two tasks at once: each task's
    /// answers and their times are the same as on tokio, in every interleaving loom explores.
    /// The interval with 4 ms of slack instead of tokio's 5 is rejected (by hand: the ticks
    /// after a late one come 5 ms early).
    #[test]
    fn random_timelines_run_as_on_tokio_s_paused_clock(mine in steps(), its in steps()) {
        let tokio = channel_patterns::conformance::paused_runtime()
            .unwrap()
            .block_on(timelines!(tokio, mine.clone(), its.clone()));
        loom_support::model("random timelines", None, move || {
            let ran = task::run(timelines!(rt, mine.clone(), its.clone()));
            assert_eq!(ran.finished(), tokio);
        });
    }
}

/// What a program sees of `JoinHandle::abort`, written once for tokio and for the runtime: a
/// task that waits for ever, aborted once it has started, has its future dropped (its guard
/// says so) and its handle gives a cancelled `JoinError`; a task that finished before its
/// abort still gives its output; aborting twice is harmless.
macro_rules! abort_facts {
    ($($root:ident)::+) => {
        async {
            use $($root)::+::{spawn, sync::oneshot, task::yield_now};
            let (keep, never) = oneshot::channel::<()>();
            let (started_tx, started) = oneshot::channel::<()>();
            let (dropped_tx, dropped) = oneshot::channel();
            let waiting = spawn(async move {
                let _guard = OnDrop(Some(move || {
                    let _ = dropped_tx.send("dropped");
                }));
                let _ = started_tx.send(());
                let _ = never.await;
            });
            started.await.unwrap();
            let finished_before = waiting.is_finished();
            waiting.abort();
            waiting.abort();
            let e = waiting.await.unwrap_err();
            let waiting_facts = (finished_before, e.is_cancelled(), e.is_panic(), dropped.await.ok());

            let done = spawn(async { 5 });
            while !done.is_finished() {
                yield_now().await;
            }
            done.abort();
            drop(keep);
            (waiting_facts, done.await.ok())
        }
    };
}

/// `JoinHandle::abort` and `is_finished` answer as tokio's do.
#[test]
fn abort_answers_as_tokio_s() {
    let tokio = as_on_tokio!("abort against tokio's", abort_facts, tokio; rt);
    assert_eq!(tokio, ((false, true, false, Some("dropped")), Some(5)));
}

/// A task aborted right after its spawn, before the spawner waits, is cancelled: never polled
/// in some interleavings (as on tokio's current-thread runtime, where it has not run yet), after
/// its first poll in others (as on a multi-thread one, where it may have); its handle always
/// gives a cancelled `JoinError`, and it is not reported as left running.
#[test]
fn an_abort_before_the_first_poll_cancels_the_task_unpolled() {
    static POLLED: std::sync::Mutex<Vec<bool>> = std::sync::Mutex::new(Vec::new());
    explore("abort before the first poll", || {
        let ran = task::run(async {
            let (polled_tx, polled) = oneshot::channel::<()>();
            let (_keep, never) = oneshot::channel::<()>();
            let task = rt::spawn(async move {
                let _ = polled_tx.send(());
                let _ = never.await;
            });
            task.abort();
            let cancelled = task.await.unwrap_err().is_cancelled();
            (cancelled, polled.await.is_ok())
        });
        assert!(ran.left_running.is_empty(), "{:?}", ran.left_running);
        let (cancelled, polled) = ran.finished();
        assert!(cancelled, "an aborted task's handle says cancelled");
        POLLED.lock().unwrap().push(polled);
    });
    let seen = POLLED.lock().unwrap();
    assert!(
        seen.contains(&false),
        "never cancelled before its first poll"
    );
    assert!(seen.contains(&true), "never polled before its abort");
}

/// What a program sees of a `JoinSet`, written once for tokio and for the runtime: outputs of
/// tasks that have all finished come back in the order they finished (not the order they were
/// spawned), `try_join_next` has nothing before any has, the set is empty only once all are
/// joined, `shutdown` empties it, and dropping it aborts a task still in it (its guard says so).
macro_rules! join_set_facts {
    ($($root:ident)::+) => {
        async {
            use $($root)::+::{sync::oneshot, task::JoinSet, time::{Instant, sleep}};
            let start = Instant::now();
            let mut set = JoinSet::new();
            for (value, ms) in [(1u8, 30u64), (2, 10)] {
                set.spawn(async move {
                    sleep(Duration::from_millis(ms)).await;
                    value
                });
            }
            let (len, nothing_yet, empty_at_first) =
                (set.len(), set.try_join_next().is_none(), set.is_empty());
            // Both finish meanwhile, the second first.
            sleep(Duration::from_millis(40)).await;
            let mut order = Vec::new();
            while let Some(joined) = set.join_next().await {
                order.push((joined.ok(), start.elapsed()));
            }
            let empty = set.is_empty();

            let mut forever = JoinSet::new();
            forever.spawn(std::future::pending::<u8>());
            forever.shutdown().await;

            let (started_tx, started) = oneshot::channel::<()>();
            let (dropped_tx, dropped) = oneshot::channel();
            let mut dropped_set = JoinSet::new();
            dropped_set.spawn(async move {
                let _guard = OnDrop(Some(move || {
                    let _ = dropped_tx.send("dropped");
                }));
                let _ = started_tx.send(());
                std::future::pending::<u8>().await
            });
            started.await.unwrap();
            drop(dropped_set);
            (len, nothing_yet, empty_at_first, order, empty, forever.is_empty(), dropped.await.ok())
        }
    };
}

/// A `JoinSet` answers as tokio's does.
#[test]
fn join_set_answers_as_tokio_s() {
    let tokio = as_on_tokio!("JoinSet against tokio's", join_set_facts, tokio; rt);
    let ms = Duration::from_millis;
    assert_eq!(
        tokio,
        (
            2,
            true,
            false,
            vec![(Some(2), ms(40)), (Some(1), ms(40))],
            true,
            true,
            Some("dropped")
        )
    );
}

/// A sleep registered with the clock (polled once) and then dropped takes its deadline back:
/// a run that then waits on something that never comes is stuck at once, and time does not move
/// to the dead sleep's deadline.
#[test]
fn a_dropped_sleep_takes_its_deadline_back() {
    explore("virtual time, a dropped sleep", || {
        let ran = task::run(async {
            let (_keep, never) = oneshot::channel::<()>();
            let mut dropped = Box::pin(time::sleep(Duration::from_secs(5)));
            assert_eq!(poll_once(dropped.as_mut()), (false, 0), "a sleep of 5s");
            drop(dropped);
            never.await
        });
        assert_eq!(ran.elapsed, Duration::ZERO, "schedule: {:?}", ran.schedule);
        assert_eq!(
            ran.stuck,
            Some(vec!["main waits on oneshot::Receiver".to_string()])
        );
    });
}

/// `reset` moves a registered sleep's own deadline, not another's: with two sleeps pending,
/// moving one later makes time move to the new deadline, then to the other's, and to nothing in
/// between.
#[test]
fn reset_moves_its_own_deadline_only() {
    explore("virtual time, reset among two sleeps", || {
        let ran = task::run(async {
            let start = time::Instant::now();
            let mut first = pin!(time::sleep(Duration::from_secs(5)));
            let mut second = pin!(time::sleep(Duration::from_secs(10)));
            assert_eq!(poll_once(first.as_mut()), (false, 0));
            assert_eq!(poll_once(second.as_mut()), (false, 0));
            first.as_mut().reset(start + Duration::from_secs(7));
            first.await;
            let at_first = start.elapsed();
            second.await;
            (at_first, start.elapsed())
        });
        let moves: Vec<_> = ran
            .schedule
            .iter()
            .filter(|event| event.starts_with("time moves"))
            .cloned()
            .collect();
        assert_eq!(moves, ["time moves to 7s", "time moves to 10s"]);
        let s = Duration::from_secs;
        assert_eq!(ran.finished(), (s(7), s(10)));
    });
}

/// An unbiased `select!` starts polling one branch later at each `select!` its task runs (see
/// `loom_tokio::select`): with every branch ready, a loop takes them in turn.
#[test]
fn an_unbiased_select_starts_one_branch_later_each_time() {
    explore("select!, rotation", || {
        let ran = task::run(async {
            let mut taken = Vec::new();
            for _ in 0..4 {
                taken.push(rt::select! {
                    () = std::future::ready(()) => 0,
                    () = std::future::ready(()) => 1,
                    () = std::future::ready(()) => 2,
                });
            }
            taken
        });
        assert_eq!(ran.finished(), [0, 1, 2, 0]);
    });
}

/// The clock stands still while any task can run: a task that yields while main sleeps sees
/// no time pass, whichever of them runs first.
#[test]
fn the_clock_stands_still_while_a_task_can_run() {
    explore("virtual time, a busy task", || {
        let ran = task::run(async {
            let start = time::Instant::now();
            let busy = rt::spawn(async move {
                let mut seen = Vec::new();
                for _ in 0..3 {
                    task::yield_now().await;
                    seen.push(start.elapsed());
                }
                seen
            });
            time::sleep(Duration::from_millis(100)).await;
            busy.await.unwrap()
        });
        assert_eq!(ran.finished(), [Duration::ZERO; 3]);
    });
}

/// `#[loom_tokio::test]`, which is `#[tokio::test]` under tokio-or-loom's switch: the test
/// fails if any interleaving returns `Err`. Here only those where the spawned task has not
/// sent yet by the `try_recv` do. On tokio's current-thread runtime the yield always lets the
/// task run first, and the test would pass; loom finds the other order, which a multi-thread
/// runtime can take.
#[loom_tokio::test(crate = "loom_tokio", start_paused = true)]
#[should_panic(expected = "the test returned Err(\"not sent yet\")")]
async fn a_test_that_returns_err_in_one_interleaving_fails() -> Result<(), &'static str> {
    let (tx, mut rx) = loom_tokio::sync::oneshot::channel();
    loom_tokio::spawn(async move { tx.send(()) });
    loom_tokio::task::yield_now().await;
    rx.try_recv().map_err(|_| "not sent yet")
}

/// The same program, waiting for the send: it passes in every interleaving.
#[loom_tokio::test(crate = "loom_tokio")]
async fn a_test_that_passes_in_every_interleaving_passes() -> Result<(), &'static str> {
    let (tx, rx) = loom_tokio::sync::oneshot::channel();
    loom_tokio::spawn(async move { tx.send(()) });
    rx.await.map_err(|_| "the sender was dropped")
}

/// A test that would hang on tokio fails with what each task waits on.
#[loom_tokio::test(crate = "loom_tokio")]
#[should_panic(
    expected = "stuck: every task waits and nothing can wake one: main waits on oneshot::Receiver"
)]
async fn a_test_that_would_hang_fails_with_what_each_task_waits_on() {
    let (_tx, rx) = loom_tokio::sync::oneshot::channel::<()>();
    let _ = rx.await;
}

/// loom's thread limit, where a test meets it: the fifth spawned task fails the test with it.
#[loom_tokio::test(crate = "loom_tokio")]
#[should_panic(expected = "a run under loom has at most 4 tasks besides main")]
async fn a_fifth_spawned_task_fails_with_the_limit() {
    for _ in 0..5 {
        loom_tokio::spawn(async {});
    }
}

/// What a program sees of `join!`, `try_join!` and `pin!`, written once for tokio and for the
/// runtime: the outputs, in the order written, and when each join ended (relative to the
/// start): a join when its last future is done, a `try_join!` at its first error, with the
/// other futures dropped then (a guard says when).
macro_rules! join_facts {
    ($($root:ident)::+) => {
        async {
            use $($root)::+::{join, pin, try_join, time::{Instant, sleep}};
            let start = Instant::now();
            let ms = Duration::from_millis;
            let joined = join!(
                async { sleep(ms(30)).await; 1 },
                async { sleep(ms(10)).await; "b" },
                async { 'c' },
            );
            let joined_at = start.elapsed();
            let ok: Result<(u8, u8), &str> =
                try_join!(async { sleep(ms(5)).await; Ok(1) }, async { Ok(2) });
            let ok_at = start.elapsed();
            let dropped_at = std::sync::Mutex::new(None);
            let err: Result<(u8, u8), &str> = try_join!(
                async {
                    let _guard = OnDrop(Some(|| *dropped_at.lock().unwrap() = Some(start.elapsed())));
                    sleep(ms(50)).await;
                    Ok(1)
                },
                async { sleep(ms(5)).await; Err("early") },
            );
            let err_at = start.elapsed();
            let one = join!(async { 7 });
            let later = async { sleep(ms(1)).await; 8 };
            pin!(later);
            let eight = (&mut later).await;
            (joined, joined_at, ok, ok_at, err, err_at, dropped_at.into_inner().unwrap(), one, eight)
        }
    };
}

/// `join!`, `try_join!` and `pin!` answer as tokio's do.
#[test]
fn join_answers_as_tokio_s() {
    let tokio = as_on_tokio!("join! against tokio's", join_facts, tokio; loom_tokio);
    let ms = Duration::from_millis;
    assert_eq!(
        tokio,
        (
            (1, "b", 'c'),
            ms(30),
            Ok((1, 2)),
            ms(35),
            Err("early"),
            ms(40),
            Some(ms(40)),
            (7,),
            8
        )
    );
}

/// What a program sees of `time::advance`, written once for tokio and for the runtime: the
/// clock after each advance, and when a task sleeping until 10 ms wakes: at 23 ms, woken by the
/// advance from 3 ms to 23 ms, which jumps over its deadline (an absolute one, so the answer is
/// the same whenever the task first polls its sleep), while the advancing task never waits.
macro_rules! advance_facts {
    ($($root:ident)::+) => {
        async {
            use $($root)::+::{spawn, task::yield_now, time::{Instant, advance, sleep, sleep_until}};
            let start = Instant::now();
            let ms = Duration::from_millis;
            let sleeper = spawn(async move {
                sleep_until(start + ms(10)).await;
                start.elapsed()
            });
            advance(ms(3)).await;
            let first = start.elapsed();
            advance(ms(20)).await;
            let second = start.elapsed();
            // Woken by the advance itself: it finishes while this task never waits.
            while !sleeper.is_finished() {
                yield_now().await;
            }
            let woke = sleeper.await.unwrap();
            sleep(ms(1)).await;
            (first, second, woke, start.elapsed())
        }
    };
}

/// `time::advance` answers as tokio's does on its paused clock.
#[test]
fn advance_answers_as_tokio_s() {
    let tokio = as_on_tokio!("advance against tokio's", advance_facts, tokio; loom_tokio);
    let ms = Duration::from_millis;
    assert_eq!(tokio, (ms(3), ms(23), ms(23), ms(24)));
}
