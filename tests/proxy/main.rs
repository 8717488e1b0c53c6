//! The proxy's tests: the relay (`proxy`), its arguments, the servers on every core, TCP
//! details, the idle and shutdown coordination, and the proxy on turmoil's simulated network
//! (`sim_proxy`, `sim_schedules`). One binary, one module per suite, and the simulation's harness
//! (`sim_support`); `tests/proxy_fds/`, whose tests count this process's file descriptors, has
//! its own.

mod idle;
mod proxy;
mod proxy_args;
mod proxy_cores;
mod proxy_tcp;
mod shutdown;
mod sim_proxy;
mod sim_schedules;
mod sim_support;
