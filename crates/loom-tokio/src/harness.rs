//! What a test written for tokio needs to run under loom: [`model`], which `#[test]` (this
//! crate's, tokio's under the switch of `tokio-or-loom`) expands to.

use std::fmt::Debug;
use std::future::Future;

/// How many preemptions [`model`] explores when `LOOM_MAX_PREEMPTIONS` is not set: tokio's own
/// loom tests run at 2; most concurrency bugs need no more than 2 or 3.
pub const DEFAULT_PREEMPTIONS: usize = 2;

/// Runs the async test that `test` makes in every interleaving loom explores (up to
/// `LOOM_MAX_PREEMPTIONS` preemptions, [`DEFAULT_PREEMPTIONS`] if unset), each a
/// [`run`](crate::task::run) on a paused clock starting at zero; fails the test at the first
/// interleaving that fails. An interleaving fails
/// when the test panics (an assertion), returns an `Err`, or gets stuck: every task waits and
/// nothing can wake one, where a test on tokio would hang. Tasks still running when the test
/// returns are cancelled, as tokio's runtime cancels them when `#[tokio::test]` returns.
///
/// `test` is called once per interleaving, so that each starts from a fresh future.
///
/// # Panics
/// With the failure of the first failing interleaving, after which the runtime prints its
/// schedule (a stuck run's is in the message).
pub fn model<F>(test: impl Fn() -> F + Sync + Send + 'static)
where
    F: Future,
    F::Output: TestOutput,
{
    let mut builder = loom::model::Builder::new();
    // Loom's own default is no bound, which few programs with several tasks ever finish.
    builder.preemption_bound = builder.preemption_bound.or(Some(DEFAULT_PREEMPTIONS));
    builder.check(move || {
        let ran = crate::task::run(test());
        if let Some(stuck) = &ran.stuck {
            panic!(
                "stuck: every task waits and nothing can wake one: {}\nschedule: {}",
                stuck.join("; "),
                ran.schedule.join(", ")
            );
        }
        if let Some(output) = ran.output {
            output.check();
        }
    });
}

/// What a test may return: `()`, or a `Result` whose `Err` fails it, as for `#[test]`.
pub trait TestOutput {
    /// Panics if the output is a failure.
    fn check(self);
}

impl TestOutput for () {
    fn check(self) {}
}

impl<E: Debug> TestOutput for Result<(), E> {
    #[track_caller]
    fn check(self) {
        if let Err(e) = self {
            panic!("the test returned Err({e:?})");
        }
    }
}
