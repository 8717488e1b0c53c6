//! Conformance: each program of the guide run, and judged. [`run_corrected`] and
//! [`run_as_written`] run one on a current-thread runtime in paused time and say how it ended,
//! its [`Verdict`]; [`judge`] holds a corrected run to what it must print, and [`rows`],
//! [`text`] and [`json`] make the report of every pattern.

mod report;
mod run;

pub use report::{Row, json, judge, rows, text};
pub use run::{BOUND, Run, Verdict, paused_runtime, run_as_written, run_corrected, run_main};
