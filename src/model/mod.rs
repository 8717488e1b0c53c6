//! Reference semantics of the four channels: small sequential state machines that say exactly
//! what the guide says each channel does, made precise where the guide is vague, and agreeing
//! with what tokio really does.
//!
//! They are the oracles of the property tests (`tests/prop_*.rs`), which apply random
//! operation sequences to tokio's channels and to these models and compare every observation,
//! and they are plain data with no tokio inside, so that the loom models can run them across
//! threads.

pub mod broadcast;
pub mod concurrent;
pub mod mpsc;
pub mod oneshot;
pub mod slots;
pub mod watch;
