//! The proxy's tests: the relay (`proxy`), its arguments, the servers on every core, TCP
//! details, the idle and shutdown coordination, and the proxy on turmoil's simulated network
//! (`sim_proxy`, `sim_schedules`). One binary, one module per suite; `tests/proxy_fds.rs` and
//! `tests/proxy_churn.rs` count this process's file descriptors, so they have their own.

#[path = "../common/mod.rs"]
mod common;
#[path = "../prop_support/mod.rs"]
mod prop_support;
#[path = "../sim_support/mod.rs"]
mod sim_support;
#[path = "../tcp_support/mod.rs"]
mod tcp_support;

mod idle;
mod proxy;
mod proxy_args;
mod proxy_cores;
mod proxy_tcp;
mod shutdown;
mod sim_proxy;
mod sim_schedules;
