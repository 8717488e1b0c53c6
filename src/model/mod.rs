//! Reference semantics of the four channels: small sequential state machines that say exactly
//! what the guide says each channel does, made precise where the guide is vague, and agreeing
//! with what tokio really does.
//!
//! They are the oracles of the property tests (`tests/prop_*.rs`), which apply random
//! operation sequences to tokio's channels and to these models and compare every observation,
//! and they are plain data with no tokio inside, so that under loom they can stand in for tokio's
//! channels: `concurrent` (loom builds only) gives them tokio's API, as the loom backend of
//! [`crate::rt`].

pub mod broadcast;
#[cfg(channel_patterns_loom)]
pub mod concurrent;
pub mod mpsc;
pub mod oneshot;
pub mod slots;
pub mod watch;
