//! The binary's interface: report, list, run NAME, and its errors.

use std::process::{Command, Output};

use channel_patterns::catalog;
use pretty_assertions::assert_eq;

/// Real time, in seconds, any one run of the binary may take (each takes well under one): it
/// runs under coreutils' `timeout`, so a run that hangs fails its test, and the process ends
/// even if the test is killed first.
const RUN_LIMIT_SECS: u32 = 20;

/// `channel-patterns ARGS` under [`RUN_LIMIT_SECS`]: SIGTERM then, SIGKILL 5 s later.
fn bounded_command(args: &[&str]) -> Command {
    let mut command = Command::new("timeout");
    command
        .args(["-k", "5", &RUN_LIMIT_SECS.to_string()])
        .arg(env!("CARGO_BIN_EXE_channel-patterns"))
        .args(args);
    command
}

fn channel_patterns(args: &[&str]) -> Output {
    let output = bounded_command(args)
        .output()
        .expect("the binary runs (under coreutils' timeout)");
    assert_ne!(
        output.status.code(),
        Some(124),
        "channel-patterns {args:?}: still running after {RUN_LIMIT_SECS} s"
    );
    output
}

fn stdout_lines(output: &Output) -> Vec<String> {
    String::from_utf8_lossy(&output.stdout)
        .lines()
        .map(str::to_string)
        .collect()
}

/// The report: one line per pattern, each matching, exit 0 (with and without `report`).
#[test]
fn report_lists_every_pattern_as_matching() {
    for args in [&[][..], &["report"][..]] {
        let output = channel_patterns(args);
        assert!(output.status.success(), "{output:?}");
        let lines = stdout_lines(&output);
        for pattern in catalog::PATTERNS {
            let line = lines
                .iter()
                .find(|l| l.starts_with(&format!("{} ", pattern.name)))
                .unwrap_or_else(|| panic!("no report line for {}", pattern.name));
            assert!(line.contains(" ok, "), "{line}");
            // The guide section: the chapter's name without its " - subtitle", then the
            // heading as plain text.
            let chapter = pattern.chapter.split(" - ").next().unwrap();
            let heading = pattern.heading.replace('`', "");
            assert!(
                line.contains(&format!(" {chapter} > {heading} ")),
                "{line} lacks its section"
            );
            for erratum in pattern.errata {
                assert!(line.contains(erratum), "{line} lacks {erratum}");
            }
        }
        let total = catalog::PATTERNS.len();
        assert!(
            lines.contains(&format!(
                "{total} of {total} patterns match; every erratum is described in ERRATA.md"
            )),
            "{lines:#?}"
        );
    }
}

#[test]
fn list_prints_the_names() {
    let output = channel_patterns(&["list"]);
    assert!(output.status.success());
    assert_eq!(stdout_lines(&output), catalog::names().collect::<Vec<_>>());
}

/// `run broadcast-lagging` prints exactly the guide's three lines and exits by itself.
#[test]
fn run_broadcast_lagging_prints_the_guides_three_lines() {
    let output = channel_patterns(&["run", "broadcast-lagging"]);
    assert!(output.status.success());
    assert_eq!(
        stdout_lines(&output),
        ["Missed 3 messages", "Received: 3", "Received: 4"]
    );
}

/// `run NAME` prints the pattern's whole transcript, for every pattern.
#[test]
fn run_prints_each_patterns_transcript() {
    for pattern in catalog::PATTERNS {
        let output = channel_patterns(&["run", pattern.name]);
        assert!(output.status.success(), "{}: {output:?}", pattern.name);
        assert_eq!(stdout_lines(&output), pattern.expected, "{}", pattern.name);
    }
}

/// An unknown name: one line on stderr naming every valid name, exit 2, nothing on stdout.
#[test]
fn run_unknown_name_is_a_one_line_error_listing_the_names() {
    let output = channel_patterns(&["run", "mpsc-nope"]);
    assert_eq!(output.status.code(), Some(2));
    assert!(output.stdout.is_empty());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(stderr.starts_with("error: unknown pattern 'mpsc-nope'; valid names: "));
    for name in catalog::names() {
        assert!(stderr.contains(name), "{stderr} lacks {name}");
    }
}

#[test]
fn unknown_command_and_missing_name_exit_2() {
    for args in [&["frobnicate"][..], &["run"][..], &["run", "a", "b"][..]] {
        let output = channel_patterns(args);
        assert_eq!(output.status.code(), Some(2), "{args:?}");
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(stderr.lines().count(), 1, "{args:?}: {stderr}");
        assert!(stderr.starts_with("error: "), "{stderr}");
    }
}

/// Bad proxy arguments: one line naming the argument and what it accepts, exit 2.
#[test]
fn proxy_bad_arguments_exit_2_with_one_line() {
    let cases: &[(&[&str], &str)] = &[
        (&["proxy"], "--listen is required"),
        (
            &[
                "proxy",
                "--listen",
                "nope",
                "--upstream",
                "h:1",
                "--idle-timeout",
                "1s",
            ],
            "--listen: invalid address 'nope'",
        ),
        (
            &[
                "proxy",
                "--listen",
                "127.0.0.1:0",
                "--upstream",
                "h",
                "--idle-timeout",
                "1s",
            ],
            "--upstream: invalid address 'h'",
        ),
        (
            &[
                "proxy",
                "--listen",
                "127.0.0.1:0",
                "--upstream",
                "h:1",
                "--idle-timeout",
                "5x",
            ],
            "--idle-timeout: invalid duration '5x'; expected a whole number and a unit",
        ),
        (
            &[
                "proxy",
                "--listen",
                "127.0.0.1:0",
                "--upstream",
                "h:1",
                "--idle-timeout",
                "1s",
                "--drain-timeout",
                "0s",
            ],
            "--drain-timeout: invalid duration '0s'",
        ),
        (
            &[
                "proxy",
                "--listen",
                "127.0.0.1:0",
                "--upstream",
                "h:1",
                "--idle-timeout",
                "1s",
                "--max-connections",
                "-3",
            ],
            "--max-connections: invalid value '-3'",
        ),
        (&["proxy", "--idle-timeout"], "--idle-timeout needs a value"),
        (
            &["proxy", "--frobnicate", "1"],
            "unknown argument '--frobnicate'",
        ),
    ];
    for (args, expected) in cases {
        let output = channel_patterns(args);
        assert_eq!(output.status.code(), Some(2), "{args:?}");
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(stderr.lines().count(), 1, "{args:?}: {stderr}");
        assert!(
            stderr.starts_with(&format!("error: {expected}")),
            "{args:?}: {stderr}"
        );
    }
}

/// A listen address already in use: a clear error, exit 1.
#[test]
fn proxy_listen_address_in_use_exits_1() {
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = taken.local_addr().unwrap().to_string();
    let output = channel_patterns(&[
        "proxy",
        "--listen",
        &addr,
        "--upstream",
        "127.0.0.1:9",
        "--idle-timeout",
        "1s",
    ]);
    assert_eq!(output.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains(&format!(
            "error: cannot listen on {addr}: Address already in use"
        )),
        "{stderr}"
    );
}

/// The real binary: relays a request and its answer, logs the connection at info level, and
/// exits 0 on SIGTERM after draining.
#[test]
fn proxy_relays_logs_and_exits_0_on_sigterm() {
    use std::io::{BufRead, BufReader, Read, Write};
    use std::net::{Shutdown, TcpListener, TcpStream};

    let upstream = TcpListener::bind("127.0.0.1:0").unwrap();
    let upstream_addr = upstream.local_addr().unwrap().to_string();
    let echo = std::thread::spawn(move || {
        let (mut s, _) = upstream.accept().unwrap();
        let mut request = Vec::new();
        s.read_to_end(&mut request).unwrap();
        s.write_all(&request.to_ascii_uppercase()).unwrap();
    });
    let listen = {
        let probe = TcpListener::bind("127.0.0.1:0").unwrap();
        probe.local_addr().unwrap().to_string()
    };
    /// Stops the proxy if the test fails half-way. SIGTERM, which `timeout` passes on; if the
    /// test itself is killed, `timeout` still ends the proxy within its limit.
    struct StopOnDrop(std::process::Child);
    impl Drop for StopOnDrop {
        fn drop(&mut self) {
            if let Ok(None) = self.0.try_wait() {
                let _ = Command::new("kill")
                    .args(["-TERM", &self.0.id().to_string()])
                    .status();
                let _ = self.0.wait();
            }
        }
    }
    let mut child = bounded_command(&[
        "proxy",
        "--listen",
        &listen,
        "--upstream",
        &upstream_addr,
        "--idle-timeout",
        "10s",
        "--drain-timeout",
        "1s",
    ])
    .env("RUST_LOG", "info")
    .stderr(std::process::Stdio::piped())
    .spawn()
    .unwrap();
    // Reads of the log end when the proxy does: bounded by `timeout`.
    let mut log = BufReader::new(child.stderr.take().unwrap());
    let mut child = StopOnDrop(child);
    let mut line = String::new();
    log.read_line(&mut line).unwrap();
    assert!(line.contains("proxy listening"), "{line}");

    let mut c = TcpStream::connect(&listen).unwrap();
    c.set_read_timeout(Some(std::time::Duration::from_secs(RUN_LIMIT_SECS.into())))
        .unwrap();
    c.write_all(b"hello").unwrap();
    c.shutdown(Shutdown::Write).unwrap();
    let mut answer = String::new();
    c.read_to_string(&mut answer).unwrap();
    assert_eq!(answer, "HELLO");
    echo.join().unwrap();

    line.clear();
    log.read_line(&mut line).unwrap();
    assert!(line.contains("connection closed"), "{line}");
    assert!(line.contains("client_to_upstream=5"), "{line}");
    assert!(line.contains("upstream_to_client=5"), "{line}");
    assert!(line.contains("reason=finished"), "{line}");

    let killed = Command::new("kill")
        .args(["-TERM", &child.0.id().to_string()])
        .status()
        .unwrap();
    assert!(killed.success());
    let status = child.0.wait().unwrap();
    assert_eq!(status.code(), Some(0));
    let mut rest = String::new();
    log.read_to_string(&mut rest).unwrap();
    assert!(rest.contains("proxy stopped"), "{rest}");
}
