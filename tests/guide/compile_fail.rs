//! Erratum E01: the guide's "Common Pattern: Task with Result", exactly as written, does not
//! compile. `spawn_with_result` is an `async fn`, so calling it gives a future of the
//! receiver, and `result_rx.await.unwrap()` calls `unwrap` on a `oneshot::Receiver`.
//! The compiler's message is checked in: `tests/compile_fail/spawn_with_result.stderr`.

use crate::common::under_mutants;

#[test]
fn guide_spawn_with_result_does_not_compile() {
    if under_mutants() {
        return;
    }
    let t = trybuild::TestCases::new();
    t.compile_fail("tests/compile_fail/spawn_with_result.rs");
}
