//! Running loom models and their broken twins, with the number of interleavings explored.

use std::future::Future;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering::Relaxed};
use std::task::{Context, Waker};
use std::time::Instant;

use test_support::{REAL_LIMIT, Watchdog};

/// Explores every interleaving of `f` (bounded by LOOM_MAX_PREEMPTIONS) and prints how many.
pub fn explore(name: &str, f: impl Fn() + Sync + Send + 'static) {
    let start = Instant::now();
    let count = model(name, None, f);
    println!(
        "loom model {name}: {count} interleavings explored in {:.2?}",
        start.elapsed()
    );
}

/// Explores a deliberately broken twin: loom must find an interleaving that fails. Returns
/// the failure's message.
pub fn rejected(name: &str, f: impl Fn() + Sync + Send + 'static) -> String {
    rejected_at(name, None, f)
}

/// [`rejected`], at most `preemptions` preemptions (LOOM_MAX_PREEMPTIONS if `None`): for a
/// program whose whole search at the default bound takes minutes, which it does when a broken
/// runtime makes its defect vanish.
pub fn rejected_at(
    name: &str,
    preemptions: Option<usize>,
    f: impl Fn() + Sync + Send + 'static,
) -> String {
    let start = Instant::now();
    let count = Arc::new(AtomicUsize::new(0));
    let counted = count.clone();
    let outcome = catch_unwind(AssertUnwindSafe(|| {
        model(name, preemptions, move || {
            counted.fetch_add(1, Relaxed);
            f();
        })
    }));
    let Err(panic) = outcome else {
        panic!("loom found no failing interleaving of the broken twin {name}");
    };
    let message = panic
        .downcast_ref::<String>()
        .cloned()
        .or_else(|| panic.downcast_ref::<&str>().map(|s| (*s).to_string()))
        .unwrap_or_default();
    println!(
        "loom twin {name}: rejected at interleaving {} after {:.2?}: {message}",
        count.load(Relaxed),
        start.elapsed()
    );
    message
}

/// Runs `f` in each interleaving loom explores; returns how many. A watchdog fails the test
/// process if no interleaving ends within [`REAL_LIMIT`]: a task that spins without a loom
/// operation (a runtime that never lets time move) would otherwise hang the suite.
pub fn model(
    name: &str,
    preemptions: Option<usize>,
    f: impl Fn() + Sync + Send + 'static,
) -> usize {
    let count = Arc::new(AtomicUsize::new(0));
    let (counted, watched) = (count.clone(), count.clone());
    let _watchdog = Watchdog::on_progress(&format!("loom model {name}"), REAL_LIMIT, move || {
        watched.load(Relaxed)
    });
    let mut builder = loom::model::Builder::new();
    if preemptions.is_some() {
        builder.preemption_bound = preemptions;
    }
    builder.check(move || {
        f();
        counted.fetch_add(1, Relaxed);
    });
    count.load(Relaxed)
}

/// A waker that remembers it was woken.
struct Flag(std::sync::atomic::AtomicBool);

impl std::task::Wake for Flag {
    fn wake(self: Arc<Self>) {
        self.0.store(true, std::sync::atomic::Ordering::SeqCst);
    }
}

/// Polls `wait` once on this thread while `signal` runs on another; returns whether the wait
/// was ready or, if it was pending, whether it got woken. A lost wake-up is `false`: an
/// assertion failure rather than a deadlock, so the broken twins below fail cleanly.
pub fn ready_or_woken<W>(wait: W, signal: impl FnOnce() + Send + 'static) -> bool
where
    W: Future<Output = ()>,
{
    let flag = Arc::new(Flag(std::sync::atomic::AtomicBool::new(false)));
    let waker = Waker::from(flag.clone());
    let signaller = loom::thread::spawn(signal);
    let mut wait = std::pin::pin!(wait);
    let ready = wait
        .as_mut()
        .poll(&mut Context::from_waker(&waker))
        .is_ready();
    signaller.join().unwrap();
    ready || flag.0.load(std::sync::atomic::Ordering::SeqCst)
}

/// A boxed future borrowed from the model's handles, so that `settle_all` can take futures of
/// different types.
pub type Wait<'a, O> = std::pin::Pin<Box<dyn Future<Output = O> + 'a>>;

/// Like [`ready_or_woken`], but for several waits and with their outputs: polls each of
/// `waits` once on this thread (each with a waker of its own) while `signal` runs on another;
/// after joining it, polls again each wait that was woken. Returns each wait's output, `None`
/// if it is still pending (never woken: a lost wake-up; or woken too early, before the state
/// it waits for, which is lost too since nothing will wake it again), and `signal`'s result.
pub fn settle_all<'a, O, R>(
    mut waits: Vec<Wait<'a, O>>,
    signal: impl FnOnce() -> R + Send + 'static,
) -> (Vec<Option<O>>, R)
where
    R: Send + 'static,
{
    let flags: Vec<_> = waits
        .iter()
        .map(|_| Arc::new(Flag(std::sync::atomic::AtomicBool::new(false))))
        .collect();
    let wakers: Vec<Waker> = flags.iter().map(|f| Waker::from(f.clone())).collect();
    let signaller = loom::thread::spawn(signal);
    let mut outputs: Vec<Option<O>> = waits
        .iter_mut()
        .zip(&wakers)
        .map(
            |(wait, waker)| match wait.as_mut().poll(&mut Context::from_waker(waker)) {
                std::task::Poll::Ready(output) => Some(output),
                std::task::Poll::Pending => None,
            },
        )
        .collect();
    let signalled = signaller.join().unwrap();
    for (((wait, waker), flag), output) in
        waits.iter_mut().zip(&wakers).zip(&flags).zip(&mut outputs)
    {
        if output.is_none()
            && flag.0.load(std::sync::atomic::Ordering::SeqCst)
            && let std::task::Poll::Ready(o) = wait.as_mut().poll(&mut Context::from_waker(waker))
        {
            *output = Some(o);
        }
    }
    (outputs, signalled)
}

/// [`settle_all`] for one wait.
pub fn settle<'a, W, R>(
    wait: W,
    signal: impl FnOnce() -> R + Send + 'static,
) -> (Option<W::Output>, R)
where
    W: Future + 'a,
    R: Send + 'static,
{
    let (mut outputs, signalled) = settle_all(vec![Box::pin(wait) as Wait<'a, W::Output>], signal);
    (outputs.pop().flatten(), signalled)
}

/// Runs a block of the guide (`crates/patterns/src/corrected`, or `crates/patterns/src/as_written`:
/// whose `tokio` is `rt` under loom), with its `println!`s captured; returns what it printed and
/// how the run ended.
pub fn run_block<F>(main: impl FnOnce() -> F) -> (Vec<String>, patterns::rt::task::Ran<()>)
where
    F: Future<Output = ()>,
{
    let out = patterns::Transcript::new();
    // Loom's threads all run on this OS thread, so the thread-local capture sees every task.
    let ran = patterns::capture::capture(&out, || patterns::rt::task::run(main()));
    (out.lines(), ran)
}

/// The transcript and the schedule of a failing run, for an assertion message.
pub fn interleaving<T>(lines: &[String], ran: &patterns::rt::task::Ran<T>) -> String {
    format!(
        "\n  printed: {lines:?}\n  schedule: {}",
        ran.schedule.join(", ")
    )
}
