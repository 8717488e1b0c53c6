//! The property tests: each channel's reference model against tokio (`prop_*`), the handles'
//! rules (`model_handles`), and the patterns' guarantees (`prop_patterns`). One binary, one
//! module per suite.

mod model_handles;
mod prop_broadcast;
mod prop_mpsc;
mod prop_oneshot;
mod prop_patterns;
mod prop_watch;
