//! The proxy leaves no file descriptor behind (`proxy_fds`, `proxy_churn`): each test counts
//! this process's open descriptors before and after. In a test binary of their own, so that
//! no other test opens or closes descriptors meanwhile, and one at a time ([`alone`]).

use std::future::Future;
use std::sync::{Mutex, PoisonError};

mod proxy_churn;
mod proxy_fds;

/// Runs `test` on a runtime of its own (two worker threads), with no other test of this binary
/// running: the runtime is made after the others' have gone, descriptors and all, and is gone
/// before the next is made, so no test's descriptors appear in another's count.
fn alone(test: impl Future<Output = ()>) {
    static ALONE: Mutex<()> = Mutex::new(());
    let _alone = ALONE.lock().unwrap_or_else(PoisonError::into_inner);
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("a runtime")
        .block_on(test);
}
