//! The synchronisation primitives of the crate's own coordination types, from `std` normally
//! and from `loom` when built with `--cfg channel_patterns_loom`, so that loom can explore
//! every interleaving of the code that runs in production.
//!
//! The cfg has its own name, not the usual `loom`: a global `--cfg loom` also switches tokio
//! to its internal loom build, which compiles `tokio::net` out and is unsupported downstream.
//! Loom cannot see inside tokio anyway; what it checks here is this crate's own state.

#[cfg(channel_patterns_loom)]
pub use loom::sync::atomic::{AtomicU64, Ordering};
#[cfg(channel_patterns_loom)]
pub use loom::sync::{Arc, Mutex, MutexGuard};

#[cfg(not(channel_patterns_loom))]
pub use std::sync::atomic::{AtomicU64, Ordering};
#[cfg(not(channel_patterns_loom))]
pub use std::sync::{Arc, Mutex, MutexGuard};

/// Locks `mutex`, recovering the data if a panicking thread poisoned it: every critical
/// section of this crate leaves its state consistent at each step, so the data stays valid.
pub fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    // loom's `Mutex::lock` returns std's `LockResult` too.
    mutex
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}
