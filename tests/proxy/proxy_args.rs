//! The `proxy` command line (`proxy::args`), parsed in process through the binary's clap
//! declaration (`cli::Cli`): every form it accepts, with the values it yields, and the error
//! it gives for each mistake.

use std::time::Duration;

use channel_patterns::cli::{Cli, Command};
use clap::Parser;
use clap::error::ErrorKind;
use pretty_assertions::assert_eq;
use proxy::args::{DEFAULT_DRAIN_TIMEOUT, DEFAULT_MAX_CONNECTIONS, ProxyArgs, parse_duration};

fn parse(args: &[&str]) -> Result<ProxyArgs, clap::Error> {
    let argv = ["channel-patterns", "proxy"].iter().chain(args);
    match Cli::try_parse_from(argv)?.command {
        Some(Command::Proxy(args)) => Ok(args),
        other => panic!("parsed as {other:?}"),
    }
}

/// The error's kind, and its first line as the binary prints it.
fn error(args: &[&str]) -> (ErrorKind, String) {
    let e = parse(args).expect_err("refused");
    let text = e.render().to_string();
    (
        e.kind(),
        text.lines().next().unwrap_or_default().to_string(),
    )
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
            drain_timeout: Duration::from_secs(30),
            threads: None,
        }
    );
    assert_eq!(
        parse_duration(DEFAULT_DRAIN_TIMEOUT),
        Ok(args.drain_timeout)
    );
}

#[test]
fn every_flag_in_both_forms() {
    let args = parse(&[
        "--listen=[::1]:1",
        "--upstream=h:2",
        "--idle-timeout=1.5s",
        "--max-connections",
        "7",
        "--drain-timeout=1m30s",
        "--threads",
        "3",
    ])
    .unwrap();
    assert_eq!(
        args,
        ProxyArgs {
            listen: "[::1]:1".parse().unwrap(),
            upstream: "h:2".into(),
            idle_timeout: Duration::from_millis(1500),
            max_connections: 7,
            drain_timeout: Duration::from_secs(90),
            threads: Some(3),
        }
    );
}

#[test]
fn durations_are_humantimes_and_more_than_zero() {
    for (text, expected) in [
        ("1.5s", Duration::from_millis(1500)),
        ("250ms", Duration::from_millis(250)),
        ("1m30s", Duration::from_secs(90)),
        ("30s", Duration::from_secs(30)),
        ("5m", Duration::from_secs(300)),
        ("2h", Duration::from_secs(7200)),
        ("1 min", Duration::from_secs(60)),
    ] {
        assert_eq!(parse_duration(text), Ok(expected), "{text}");
    }
    for text in ["", "s", "5", "5x", "1.5", "-1s"] {
        let why = parse_duration(text).expect_err(text);
        assert!(
            why.contains("expected a number and a unit"),
            "{text}: {why}"
        );
    }
    for zero in ["0s", "0ms", "0h", "0.0s"] {
        assert_eq!(
            parse_duration(zero),
            Err("it must be more than zero".to_string())
        );
    }
}

#[test]
fn each_mistake_is_named() {
    let base = ["--listen", "127.0.0.1:1", "--idle-timeout", "1s"];
    let with = |extra: &[&'static str]| -> Vec<&'static str> {
        base.iter().copied().chain(extra.iter().copied()).collect()
    };
    for upstream in ["h", ":80", "h:", "h:x", "h:70000"] {
        assert_eq!(
            error(&with(&["--upstream", upstream])),
            (
                ErrorKind::ValueValidation,
                format!(
                    "error: invalid value '{upstream}' for '--upstream <HOST:PORT>': expected \
                     HOST:PORT, e.g. 127.0.0.1:9000 or localhost:9000"
                )
            ),
        );
    }
    assert_eq!(
        error(&[
            "--listen",
            "nope",
            "--upstream",
            "h:1",
            "--idle-timeout",
            "1s"
        ]),
        (
            ErrorKind::ValueValidation,
            "error: invalid value 'nope' for '--listen <ADDR>': expected IP:PORT, e.g. \
             127.0.0.1:8080 or [::1]:8080"
                .to_string()
        )
    );
    for (flag, value) in [("--max-connections", "0"), ("--threads", "none")] {
        assert_eq!(
            error(&with(&["--upstream", "h:1", flag, value])),
            (
                ErrorKind::ValueValidation,
                format!(
                    "error: invalid value '{value}' for '{flag} <N>': expected a whole number \
                     of at least 1"
                )
            )
        );
    }
    assert_eq!(
        error(&with(&["--upstream", "h:1", "--drain-timeout", "0s"])),
        (
            ErrorKind::ValueValidation,
            "error: invalid value '0s' for '--drain-timeout <DURATION>': it must be more than \
             zero"
                .to_string()
        )
    );
    assert_eq!(error(&with(&["a=b"])).0, ErrorKind::UnknownArgument);
    assert_eq!(error(&with(&["--upstream"])).0, ErrorKind::InvalidValue);
    let (kind, line) = error(&["--listen", "127.0.0.1:1"]);
    assert_eq!(kind, ErrorKind::MissingRequiredArgument);
    assert!(line.contains("required"), "{line}");
    let e = parse(&["--listen", "127.0.0.1:1", "--upstream", "h:1"]).unwrap_err();
    assert!(
        e.render().to_string().contains("--idle-timeout <DURATION>"),
        "{e}"
    );
}
