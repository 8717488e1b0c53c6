//! A panic of the guide's `main` under `run NAME --as-written` is reported once, in the
//! verdict: the panic hook stays silent for it, and only for it. In a test binary of its own,
//! because it installs a process-wide panic hook before anything else can.

use std::sync::atomic::{AtomicUsize, Ordering::SeqCst};

use channel_patterns::catalog;
use channel_patterns::conformance::{Verdict, run_as_written};
use patterns::Transcript;

/// Panics that reached the hook installed first.
static HOOKED: AtomicUsize = AtomicUsize::new(0);

#[test]
fn only_the_guides_own_panic_is_kept_off_the_hook() {
    std::panic::set_hook(Box::new(|_| {
        HOOKED.fetch_add(1, SeqCst);
    }));
    let pattern = catalog::find("app-shutdown").expect("a pattern of that name");
    let run = run_as_written(pattern, Transcript::new()).expect("a runtime");
    assert!(
        matches!(run.verdict, Verdict::Panicked { .. }),
        "{:?}",
        run.verdict
    );
    assert_eq!(HOOKED.load(SeqCst), 0, "the guide's panic reached the hook");

    // Outside a run, on the same thread and on another, panics reach the hook as before.
    assert!(std::panic::catch_unwind(|| panic!("after the run")).is_err());
    assert_eq!(HOOKED.load(SeqCst), 1);
    let other = std::thread::spawn(|| panic!("on another thread"));
    assert!(other.join().is_err());
    assert_eq!(HOOKED.load(SeqCst), 2);
}
