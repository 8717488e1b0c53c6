//! The `proxy` command line (`proxy::args`), parsed in process: every form it accepts, with
//! the values it yields, and the one line it gives for each mistake.

use std::time::Duration;

use channel_patterns::proxy::args::{
    DEFAULT_DRAIN_TIMEOUT, DEFAULT_MAX_CONNECTIONS, ProxyArgs, parse, parse_duration,
};
use pretty_assertions::assert_eq;

fn error(args: &[&str]) -> String {
    parse(args).expect_err("refused").to_string()
}

#[test]
fn required_flags_alone_take_the_defaults() {
    let args = parse(&[
        "--listen",
        "127.0.0.1:8080",
        "--upstream",
        "localhost:9000",
        "--idle-timeout",
        "30s",
    ])
    .unwrap();
    assert_eq!(
        args,
        ProxyArgs {
            listen: "127.0.0.1:8080".parse().unwrap(),
            upstream: "localhost:9000".into(),
            idle_timeout: Duration::from_secs(30),
            max_connections: DEFAULT_MAX_CONNECTIONS,
            drain_timeout: DEFAULT_DRAIN_TIMEOUT,
            threads: None,
        }
    );
}

#[test]
fn every_flag_in_both_forms() {
    let args = parse(&[
        "--listen=[::1]:1",
        "--upstream=h:2",
        "--idle-timeout=250ms",
        "--max-connections",
        "7",
        "--drain-timeout=2m",
        "--threads",
        "3",
    ])
    .unwrap();
    assert_eq!(
        args,
        ProxyArgs {
            listen: "[::1]:1".parse().unwrap(),
            upstream: "h:2".into(),
            idle_timeout: Duration::from_millis(250),
            max_connections: 7,
            drain_timeout: Duration::from_secs(120),
            threads: Some(3),
        }
    );
}

#[test]
fn durations_take_a_whole_number_and_a_unit() {
    for (text, expected) in [
        ("500ms", Duration::from_millis(500)),
        ("30s", Duration::from_secs(30)),
        ("5m", Duration::from_secs(300)),
        ("1h", Duration::from_secs(3600)),
    ] {
        assert_eq!(parse_duration(text), Ok(expected), "{text}");
    }
    for text in ["", "s", "5", "5x", "1.5s", "-1s", "0s", "0ms"] {
        assert!(parse_duration(text).is_err(), "{text}");
    }
    assert!(parse_duration("0h").unwrap_err().contains("more than zero"));
}

#[test]
fn each_mistake_is_named() {
    let base = ["--listen", "127.0.0.1:1", "--idle-timeout", "1s"];
    let with = |extra: &[&'static str]| -> Vec<&'static str> {
        base.iter().copied().chain(extra.iter().copied()).collect()
    };
    for upstream in ["h", ":80", "h:", "h:x", "h:70000"] {
        assert!(
            error(&with(&["--upstream", upstream]))
                .starts_with(&format!("--upstream: invalid address '{upstream}'")),
            "{upstream}"
        );
    }
    assert!(
        error(&with(&["--upstream", "h:1", "--max-connections", "0"]))
            .starts_with("--max-connections: invalid value '0'")
    );
    assert!(
        error(&with(&["--upstream", "h:1", "--threads", "none"]))
            .starts_with("--threads: invalid value 'none'")
    );
    // `=` splits only a flag: anything else is an unknown argument, whole.
    assert!(error(&with(&["a=b"])).starts_with("unknown argument 'a=b'"));
    assert!(error(&with(&["--upstream"])).starts_with("--upstream needs a value"));
    assert!(error(&["--listen", "127.0.0.1:1"]).starts_with("--upstream is required"));
    assert!(
        error(&["--listen", "127.0.0.1:1", "--upstream", "h:1"])
            .starts_with("--idle-timeout is required")
    );
}
