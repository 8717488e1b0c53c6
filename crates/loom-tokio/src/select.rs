//! tokio's `select!` under loom: [`__loom_select!`](crate::__loom_select), which `channel-patterns`
//! names `select!` under its loom cfg.
//!
//! It has tokio's syntax for what the patterns use: branches `PATTERN = FUTURE => HANDLER`, an
//! optional `else => HANDLER`, and `biased;`. As in tokio, every branch's future is created,
//! they are polled until one is ready whose output matches its pattern (a branch whose output
//! does not match is disabled), the others are dropped, and then that branch's handler runs in
//! the caller's body, so `break`, `continue`, `return` and `?` in a handler act on the caller.
//! With every branch disabled, the `else` handler runs; without one, it panics, as tokio does.
//!
//! With `biased;` the branches are polled in the order written. Without it, tokio starts at a
//! random branch; a run under loom must be deterministic apart from its schedule, so here the
//! first branch polled rotates instead, one step at each `select!` of a task: a loop's second
//! iteration starts with its second branch. The schedule search still covers which branches
//! are ready when it polls, which is what decides most outcomes (erratum E08's dropped work is
//! found this way), but not every order for every iteration.

use std::cell::Cell;

loom::thread_local! {
    /// `select!`s run by this thread's task: the rotation of unbiased ones.
    static SELECTS: Cell<usize> = Cell::new(0);
}

/// Where a `select!` starts polling: the branch at this number modulo its branch count.
/// `0` when biased, otherwise the number of unbiased `select!`s this task ran before.
#[doc(hidden)]
pub fn start(biased: bool) -> usize {
    if biased {
        return 0;
    }
    SELECTS.with(|s| {
        let n = s.get();
        s.set(n + 1);
        n
    })
}

/// The loom form of tokio's `select!`, with its syntax (see the module docs).
#[doc(hidden)]
#[macro_export]
macro_rules! __loom_select {
    (@parse $biased:tt [$($done:tt)*] [$($pool:tt)*] else => $else:expr $(,)?) => {
        $crate::__loom_select!(@emit $biased [$($done)*] [$else])
    };
    (@parse $biased:tt [$($done:tt)*] [($v:ident $t:ident $f:ident $i:tt) $($pool:tt)*]
        $p:pat = $fut:expr => $h:block $(,)? $($rest:tt)*) => {
        $crate::__loom_select!(@parse $biased [$($done)* ($v $t $f $i [$p] [$fut] [$h])]
            [$($pool)*] $($rest)*)
    };
    (@parse $biased:tt [$($done:tt)*] [($v:ident $t:ident $f:ident $i:tt) $($pool:tt)*]
        $p:pat = $fut:expr => $h:expr $(, $($rest:tt)*)?) => {
        $crate::__loom_select!(@parse $biased [$($done)* ($v $t $f $i [$p] [$fut] [{ $h }])]
            [$($pool)*] $($($rest)*)?)
    };
    (@parse $biased:tt [$($done:tt)*] [$($pool:tt)*]) => {
        $crate::__loom_select!(@emit $biased [$($done)*] [
            ::std::panic!("all branches are disabled and there is no else branch")
        ])
    };
    (@emit $biased:tt [$(($v:ident $t:ident $f:ident $i:tt [$p:pat] [$fut:expr] [$h:block]))*]
        [$else:expr]) => {{
        #[allow(non_camel_case_types, dead_code)]
        enum __Out<$($t,)*> {
            $($v($t),)*
            Disabled,
        }
        let __out = {
            $(let mut $f = ::std::pin::pin!($fut);)*
            const __N: usize = [$($i),*].len();
            let __first = $crate::select::start($biased) % __N;
            let mut __disabled = [false; __N];
            ::std::future::poll_fn(|__cx| {
                for __k in 0..__N {
                    let __b = (__first + __k) % __N;
                    $(
                        if __b == $i && !__disabled[$i] {
                            if let ::std::task::Poll::Ready(__v) =
                                ::std::future::Future::poll($f.as_mut(), __cx)
                            {
                                #[allow(unused_variables)]
                                match &__v {
                                    $p => return ::std::task::Poll::Ready(__Out::$v(__v)),
                                    #[allow(unreachable_patterns)]
                                    _ => __disabled[$i] = true,
                                }
                            }
                        }
                    )*
                }
                if __disabled.iter().all(|d| *d) {
                    ::std::task::Poll::Ready(__Out::Disabled)
                } else {
                    ::std::task::Poll::Pending
                }
            })
            .await
        };
        match __out {
            $(__Out::$v($p) => $h,)*
            __Out::Disabled => $else,
            #[allow(unreachable_patterns)]
            _ => ::std::unreachable!("a branch's output matched its pattern when polled"),
        }
    }};
    (biased; $($branches:tt)*) => {
        $crate::__loom_select!(@parse true [] [(V0 T0 f0 0) (V1 T1 f1 1) (V2 T2 f2 2) (V3 T3 f3 3)]
            $($branches)*)
    };
    ($($branches:tt)*) => {
        $crate::__loom_select!(@parse false [] [(V0 T0 f0 0) (V1 T1 f1 1) (V2 T2 f2 2) (V3 T3 f3 3)]
            $($branches)*)
    };
}
