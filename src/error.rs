//! The one error type a pattern returns.
//!
//! The guide's examples `unwrap()` every channel operation, so a closed channel or a panicking
//! task aborts the program. Library code reports these instead, so the report and the tests can
//! say which pattern failed and why.
//!
//! The error types come through [`crate::rt`], so that the patterns' `?` works on tokio's
//! errors and, under loom, on the loom backend's.

use crate::rt::sync::{broadcast, mpsc, oneshot, watch};
use crate::rt::task::JoinError;

/// Why a pattern could not run to completion.
#[derive(Debug, thiserror::Error)]
pub enum PatternError {
    /// A task the pattern spawned panicked or was cancelled.
    #[error("a task of the pattern failed: {0}")]
    Join(#[from] JoinError),
    /// A channel closed while the pattern still needed it (its peer was dropped early).
    #[error("channel closed early: {0}")]
    Closed(&'static str),
    /// A broadcast receiver fell behind and lost this many messages where the pattern needs all.
    #[error("broadcast receiver lagged by {0} messages")]
    Lagged(u64),
    /// An I/O error on one of the streams the pattern relays.
    #[error("i/o error: {0}")]
    Io(#[from] std::io::Error),
}

impl<T> From<mpsc::error::SendError<T>> for PatternError {
    fn from(_: mpsc::error::SendError<T>) -> Self {
        PatternError::Closed("mpsc receiver dropped")
    }
}

impl From<oneshot::error::RecvError> for PatternError {
    fn from(_: oneshot::error::RecvError) -> Self {
        PatternError::Closed("oneshot sender dropped without sending")
    }
}

impl<T> From<broadcast::error::SendError<T>> for PatternError {
    fn from(_: broadcast::error::SendError<T>) -> Self {
        PatternError::Closed("broadcast has no receivers")
    }
}

impl<T> From<watch::error::SendError<T>> for PatternError {
    fn from(_: watch::error::SendError<T>) -> Self {
        PatternError::Closed("watch has no receivers")
    }
}

impl From<broadcast::error::RecvError> for PatternError {
    fn from(e: broadcast::error::RecvError) -> Self {
        match e {
            broadcast::error::RecvError::Closed => {
                PatternError::Closed("broadcast senders dropped")
            }
            broadcast::error::RecvError::Lagged(n) => PatternError::Lagged(n),
        }
    }
}

/// What every pattern returns.
pub type PatternResult = Result<(), PatternError>;
