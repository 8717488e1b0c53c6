//! tokio's `join!`, `try_join!` and `pin!` under loom: [`__loom_join!`](crate::__loom_join),
//! [`__loom_try_join!`](crate::__loom_try_join) and [`__loom_pin!`](crate::__loom_pin), which
//! the crate's root names `join`, `try_join` and `pin`.
//!
//! `join!` polls every future on the task that awaits it until all are done, and gives their
//! outputs as a tuple; `try_join!` gives `Err` as soon as one gives it, dropping the others.
//! The futures are polled in the order written at every wake-up, where tokio starts each
//! round at the next one; the schedule search still covers when each is woken.

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

/// One future of a `join!`: pending, or done with its output kept until all are.
#[doc(hidden)]
pub enum MaybeDone<F: Future> {
    Pending(Pin<Box<F>>),
    Done(Option<F::Output>),
}

impl<F: Future> MaybeDone<F> {
    #[doc(hidden)]
    pub fn new(future: F) -> Self {
        Self::Pending(Box::pin(future))
    }

    /// Polls the future if it is not done yet; whether it is done now.
    #[doc(hidden)]
    pub fn poll_done(&mut self, cx: &mut Context<'_>) -> bool {
        if let Self::Pending(future) = self {
            match future.as_mut().poll(cx) {
                Poll::Ready(output) => *self = Self::Done(Some(output)),
                Poll::Pending => return false,
            }
        }
        true
    }

    /// The output of a future that is done (once).
    #[doc(hidden)]
    pub fn take(&mut self) -> F::Output {
        match self {
            Self::Done(output) => match output.take() {
                Some(output) => output,
                None => unreachable!("a joined future's output taken twice"),
            },
            Self::Pending(_) => unreachable!("a joined future taken before it is done"),
        }
    }
}

impl<T, E, F: Future<Output = Result<T, E>>> MaybeDone<F> {
    /// The error of a future done with one (taken out), for `try_join!`.
    #[doc(hidden)]
    pub fn take_err(&mut self) -> Option<E> {
        match self {
            Self::Done(output) if matches!(output, Some(Err(_))) => output.take()?.err(),
            _ => None,
        }
    }

    /// The value of a future done with one, for `try_join!` once every future is.
    #[doc(hidden)]
    pub fn take_ok(&mut self) -> T {
        match self.take() {
            Ok(value) => value,
            Err(_) => unreachable!("try_join! returned at the first error"),
        }
    }
}

/// The loom form of tokio's `join!`: see the module documentation.
#[doc(hidden)]
#[macro_export]
macro_rules! __loom_join {
    (@parse [$($done:tt)*] [$f:ident $($pool:ident)*] $fut:expr $(, $($rest:tt)*)?) => {
        $crate::__loom_join!(@parse [$($done)* ($f [$fut])] [$($pool)*] $($($rest)*)?)
    };
    (@parse [$(($f:ident [$fut:expr]))*] [$($pool:ident)*]) => {{
        $(let mut $f = $crate::join::MaybeDone::new($fut);)*
        ::std::future::poll_fn(|__cx| {
            let mut __all = true;
            $(__all &= $f.poll_done(__cx);)*
            if __all {
                ::std::task::Poll::Ready(($($f.take(),)*))
            } else {
                ::std::task::Poll::Pending
            }
        })
        .await
    }};
    ($($futures:tt)+) => {
        $crate::__loom_join!(@parse [] [f0 f1 f2 f3 f4 f5 f6 f7] $($futures)+)
    };
}

/// The loom form of tokio's `try_join!`: see the module documentation.
#[doc(hidden)]
#[macro_export]
macro_rules! __loom_try_join {
    (@parse [$($done:tt)*] [$f:ident $($pool:ident)*] $fut:expr $(, $($rest:tt)*)?) => {
        $crate::__loom_try_join!(@parse [$($done)* ($f [$fut])] [$($pool)*] $($($rest)*)?)
    };
    (@parse [$(($f:ident [$fut:expr]))*] [$($pool:ident)*]) => {{
        $(let mut $f = $crate::join::MaybeDone::new($fut);)*
        ::std::future::poll_fn(|__cx| {
            let mut __all = true;
            $(
                __all &= $f.poll_done(__cx);
                if let Some(__e) = $f.take_err() {
                    return ::std::task::Poll::Ready(Err(__e));
                }
            )*
            if __all {
                ::std::task::Poll::Ready(Ok(($($f.take_ok(),)*)))
            } else {
                ::std::task::Poll::Pending
            }
        })
        .await
    }};
    ($($futures:tt)+) => {
        $crate::__loom_try_join!(@parse [] [f0 f1 f2 f3 f4 f5 f6 f7] $($futures)+)
    };
}

/// The loom form of tokio's `pin!`: each variable named is shadowed by itself pinned.
#[doc(hidden)]
#[macro_export]
macro_rules! __loom_pin {
    ($($x:ident),* $(,)?) => {
        $(let mut $x = ::std::pin::pin!($x);)*
    };
}
