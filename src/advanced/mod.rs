//! Guide section "Advanced Patterns": channels combined with `select!`, a multi-channel
//! shutdown, and a channel-driven state machine.
//!
//! Tests: `tests/advanced.rs` (whole transcripts), `tests/errata.rs` (the guide's versions).

pub mod app_shutdown;
pub mod select_shutdown;
pub mod state_machine;
