//! Reference models of tokio's four channels: small sequential state machines that say exactly
//! what the guide to Tokio's channels says each channel does, made precise where the guide is
//! vague, and agreeing with what tokio really does.
//!
//! They are the oracles of the property tests (`tests/props/prop_*.rs` of the workspace root), which
//! apply random operation sequences to tokio's channels and to these models and compare every
//! observation. They are plain data with no tokio inside, so that under loom they can stand in
//! for tokio's channels: the `loom-tokio` crate gives them tokio's API.

#![warn(clippy::unwrap_used, clippy::expect_used)]

pub mod broadcast;
pub mod mpsc;
pub mod oneshot;
mod slots;
pub mod watch;
