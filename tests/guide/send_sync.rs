//! The auto traits of the crate's public handles and futures, asserted in the manner of tokio's
//! `tests/async_send_sync.rs`: a type that loses `Send`, `Sync` or `Unpin`, or a future that
//! gains `Unpin`, fails to compile here. `Shutdown` and `Activity` are shared across tasks, the
//! server's and relay's futures are spawned on a multi-thread runtime, and a user's code that
//! relies on either would break silently otherwise.
//!
//! Compile-time only: nothing here runs. Each group is a `const _: fn()`, a closure that the
//! compiler type-checks and never calls (`value` is never called either).

use std::time::Duration;

use patterns::Transcript;
use proxy::idle::{Activity, ActivityClock, IdleMonitor};
use proxy::net::Tcp;
use proxy::server::{Config, Summary};
use proxy::shutdown::{Drained, Listener, Shutdown, Triggered};
use proxy::{CloseReason, Outcome, copy_with_activity, relay, relay_connections};
use tokio::io::DuplexStream;
use tokio::net::{TcpListener, TcpStream};

/// A value of any type, for building futures whose type is asserted: never called.
fn value<T>() -> T {
    unreachable!()
}

/// Compiles only if `T` has the trait.
fn send<T: ?Sized + Send>(_: &T) {}
fn sync<T: ?Sized + Sync>(_: &T) {}
fn unpin<T: ?Sized + Unpin>(_: &T) {}

/// `NotUnpin::check(&v)` compiles only if `v`'s type is not `Unpin`: both impls apply to an
/// `Unpin` type, so the call is ambiguous and the build fails.
trait NotUnpin<A> {
    fn check(&self) {}
}
impl<T: ?Sized> NotUnpin<()> for T {}
impl<T: ?Sized + Unpin> NotUnpin<u8> for T {}

/// `assert_value!(expr => Send & Sync & NotUnpin)`: `expr`'s type has exactly these.
macro_rules! assert_value {
    ($value:expr => $($trait:ident)&+) => {{
        let value = &$value;
        $(assert_value!(@one value, $trait);)+
    }};
    (@one $v:ident, Send) => { send($v) };
    (@one $v:ident, Sync) => { sync($v) };
    (@one $v:ident, Unpin) => { unpin($v) };
    (@one $v:ident, NotUnpin) => { NotUnpin::check($v) };
}

/// Handles shared between tasks and threads: all three.
const _: fn() = || {
    assert_value!(value::<Shutdown>() => Send & Sync & Unpin);
    assert_value!(value::<Listener>() => Send & Sync & Unpin);
    assert_value!(value::<Triggered<'static>>() => Send & Sync & Unpin);
    assert_value!(value::<Drained<'static>>() => Send & Sync & Unpin);
    assert_value!(value::<ActivityClock>() => Send & Sync & Unpin);
    assert_value!(value::<Activity>() => Send & Sync & Unpin);
    assert_value!(value::<IdleMonitor>() => Send & Sync & Unpin);
    assert_value!(value::<Transcript>() => Send & Sync & Unpin);
};

/// Plain results and configuration: all three, so they cross threads and go in errors.
const _: fn() = || {
    assert_value!(value::<Outcome>() => Send & Sync & Unpin);
    assert_value!(value::<CloseReason>() => Send & Sync & Unpin);
    assert_value!(value::<Summary>() => Send & Sync & Unpin);
    assert_value!(value::<Config>() => Send & Sync & Unpin);
};

/// Futures: `Send`, so they can be spawned on a multi-thread runtime, and `Sync`, so a
/// reference to one can cross threads; like every `async fn` future, not `Unpin`.
const _: fn() = || {
    let config: Config = value();
    assert_value!(
        proxy::server::serve(value::<TcpListener>(), Tcp, config, value::<Shutdown>())
            => Send & Sync & NotUnpin
    );
    assert_value!(
        relay(value::<DuplexStream>(), value::<DuplexStream>(), Duration::ZERO)
            => Send & Sync & NotUnpin
    );
    assert_value!(
        relay_connections(value::<TcpStream>(), value::<TcpStream>(), Duration::ZERO) => Send & Sync & NotUnpin
    );
    let activity: Activity = value();
    let copied = std::sync::atomic::AtomicU64::new(0);
    assert_value!(
        copy_with_activity(value::<DuplexStream>(), value::<DuplexStream>(), &activity, &copied)
            => Send & Sync & NotUnpin
    );
    let mut monitor: IdleMonitor = value();
    assert_value!(monitor.expired() => Send & Sync & NotUnpin);
    let listener: Listener = value();
    assert_value!(listener.triggered() => Send & Sync & Unpin);
};

/// The guide's programs: `Send`, so that each can be spawned, as `#[tokio::main]` needs of a
/// `main` on its multi-thread runtime.
const _: fn() = || {
    assert_value!(patterns::corrected::mpsc_basic::main() => Send & Sync & NotUnpin);
    assert_value!(patterns::corrected::app_shutdown::main() => Send & Sync & NotUnpin);
    assert_value!(
        patterns::corrected::watch_idle_timeout::proxy_with_idle_timeout(value(), value(), value())
            => Send & Sync & NotUnpin
    );
};
