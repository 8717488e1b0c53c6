//! The relay's rules. [`Rules::default`] is the relay as it must be, and the only rules a build
//! without the `twins` feature has: a broken twin of the relay is this relay with one rule
//! off, which the simulation properties (`tests/proxy/sim_schedules.rs` of the workspace root) must
//! reject. The feature, which only the workspace's tests enable, makes this module public and
//! adds [`Config::with_rules`](crate::server::Config::with_rules).

/// What the relay does in the cases a broken relay gets wrong.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Rules {
    /// Bytes read that the writer cannot take at once are kept, and written when it can.
    /// Off, they are dropped: the bug of a relay that writes each read once, with no loop.
    pub keep_leftovers: bool,
}

impl Default for Rules {
    /// The relay as it must be.
    fn default() -> Self {
        Rules {
            keep_leftovers: true,
        }
    }
}
