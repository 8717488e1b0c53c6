//! The binary's interface: report, list, run NAME, and its errors.

use std::process::{Command, Output};

use channel_patterns::{catalog, errata};
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
    for args in [
        &[][..],
        &["report"][..],
        &["report", "--format", "text"][..],
    ] {
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
        assert_eq!(
            lines.last().unwrap(),
            &format!(
                "{total} of {total} patterns print as the guide says; each erratum is described \
                 in ERRATA.md and by `channel-patterns errata ID`"
            ),
        );
    }
}

/// The table's columns start at the same place on every line, whatever a cell's length; the
/// counts are singular or plural as they should be; the output ends with a newline.
#[test]
fn report_columns_are_aligned_and_the_output_ends_with_a_newline() {
    let output = channel_patterns(&["report"]);
    let text = String::from_utf8(output.stdout).unwrap();
    assert!(text.ends_with('\n'), "{text:?}");
    let lines: Vec<&str> = text.lines().collect();
    let header = lines
        .iter()
        .position(|l| l.starts_with("PATTERN "))
        .unwrap();
    let table = &lines[header..=header + catalog::PATTERNS.len()];
    // Each column after the first starts where its header does: two spaces before, a
    // non-space at it (the TIME column is right-aligned: its end is aligned instead).
    let starts = ["GUIDE SECTION", "OUTPUT", "ERRATA"].map(|h| table[0].find(h).unwrap());
    let time_end = table[0].find("TIME").unwrap() + "TIME".len();
    for line in table {
        for start in starts {
            assert_eq!(&line[start - 2..start], "  ", "{line}");
            assert_ne!(&line[start..=start], " ", "{line}");
        }
        assert_eq!(&line[time_end..time_end + 2], "  ", "{line}");
        assert_ne!(&line[time_end - 1..time_end], " ", "{line}");
    }
    assert!(text.contains("ok, 1 line as expected"), "{text}");
    assert!(!text.contains(" 1 lines"), "{text}");
}

/// `report --format json`: one object per pattern, in the guide's order, with the fields and
/// types the README's schema gives, and values that agree with the catalog.
#[test]
fn report_json_follows_the_readmes_schema() {
    let output = channel_patterns(&["report", "--format", "json"]);
    assert!(output.status.success(), "{output:?}");
    let text = String::from_utf8(output.stdout).unwrap();
    assert!(text.ends_with("]\n"), "{text}");
    let rows: Vec<serde_json::Value> = serde_json::from_str(&text).unwrap();
    assert_eq!(rows.len(), catalog::PATTERNS.len());
    // The README's schema table: each field name, with its JSON type.
    let readme = include_str!("../../README.md");
    let section = readme
        .split_once("### `report --format json`\n")
        .and_then(|(_, rest)| rest.split("\n#").next())
        .expect("the README's JSON schema section");
    let schema: Vec<(&str, &str)> = section
        .lines()
        .filter_map(|l| {
            let cells: Vec<&str> = l.strip_prefix("| `")?.split(" | ").collect();
            let name = cells.first()?.strip_suffix('`')?;
            Some((name, *cells.get(1)?))
        })
        .collect();
    let fields = [
        "name",
        "section",
        "matched",
        "verdict",
        "lines",
        "simulated_secs",
        "errata",
    ];
    assert_eq!(schema.iter().map(|(n, _)| *n).collect::<Vec<_>>(), fields);
    for (row, pattern) in rows.iter().zip(catalog::PATTERNS) {
        let object = row.as_object().unwrap();
        assert_eq!(object.keys().collect::<Vec<_>>(), {
            let mut sorted = fields.to_vec();
            sorted.sort();
            sorted
        });
        for (name, kind) in &schema {
            let value = &object[*name];
            let fits = match *kind {
                "string" => value.is_string(),
                "boolean" => value.is_boolean(),
                "integer" => value.is_u64(),
                "number" => value.is_number(),
                "array of strings" => value
                    .as_array()
                    .is_some_and(|a| a.iter().all(|v| v.is_string())),
                other => panic!("the README's schema has an unknown type {other}"),
            };
            assert!(fits, "{}: {name} = {value} is not a {kind}", pattern.name);
        }
        assert_eq!(row["name"], pattern.name);
        assert_eq!(row["matched"], true);
        assert_eq!(row["lines"], pattern.expected.len());
        assert_eq!(row["errata"], serde_json::json!(pattern.errata));
    }
    // Backpressure's consumer takes 100 ms for each of ten messages: a second of paused time.
    let backpressure = rows.iter().find(|r| r["name"] == "mpsc-backpressure");
    assert_eq!(backpressure.unwrap()["simulated_secs"], 1.0);
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

/// Bad input: clap's message on stderr (the error, then where to find help), nothing on
/// stdout, exit 2.
fn assert_refused(args: &[&str], first_line: &str) {
    let output = channel_patterns(args);
    assert_eq!(output.status.code(), Some(2), "{args:?}: {output:?}");
    assert!(output.stdout.is_empty(), "{args:?}");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(
        stderr.lines().next(),
        Some(first_line),
        "{args:?}: {stderr}"
    );
    assert!(
        stderr.ends_with("For more information, try '--help'.\n"),
        "{args:?}: {stderr}"
    );
}

/// An unknown name: exit 2, naming every valid name.
#[test]
fn run_unknown_name_is_refused_listing_the_names() {
    assert_refused(
        &["run", "mpsc-nope"],
        "error: invalid value 'mpsc-nope' for '<NAME>'",
    );
    let stderr = String::from_utf8(channel_patterns(&["run", "mpsc-nope"]).stderr).unwrap();
    for name in catalog::names() {
        assert!(stderr.contains(name), "{stderr} lacks {name}");
    }
}

#[test]
fn unknown_command_missing_name_and_extra_arguments_exit_2() {
    assert_refused(
        &["frobnicate"],
        "error: unrecognized subcommand 'frobnicate'",
    );
    assert_refused(
        &["run"],
        "error: the following required arguments were not provided:",
    );
    assert_refused(
        &["run", "mpsc-basic", "b"],
        "error: unexpected argument 'b' found",
    );
    assert_refused(
        &["report", "--format", "xml"],
        "error: invalid value 'xml' for '--format <FORMAT>'",
    );
    assert_refused(&["errata", "E99"], "error: invalid value 'E99' for '[ID]'");
}

/// Bad proxy arguments: clap's message naming the argument and what it accepts, exit 2 (each
/// mistake's exact message: `tests/proxy/proxy_args.rs`).
#[test]
fn proxy_bad_arguments_exit_2() {
    let args = |idle: &'static str| {
        [
            "proxy",
            "--listen",
            "127.0.0.1:0",
            "--upstream",
            "h:1",
            "--idle-timeout",
            idle,
        ]
    };
    // humantime's own message, then what is accepted.
    let unit = humantime::parse_duration("5x").unwrap_err();
    assert_refused(
        &args("5x"),
        &format!(
            "error: invalid value '5x' for '--idle-timeout <DURATION>': {unit}; expected a number \
             and a unit, e.g. 1.5s, 250ms, 1m30s or 2h"
        ),
    );
    assert_refused(
        &args("0s"),
        "error: invalid value '0s' for '--idle-timeout <DURATION>': it must be more than zero",
    );
    assert_refused(
        &["proxy"],
        "error: the following required arguments were not provided:",
    );
}

/// `--help` on the binary and on every subcommand: its usage, exit 0, on stdout.
#[test]
fn help_everywhere() {
    for (args, usage) in [
        (&["--help"][..], "Usage: channel-patterns [COMMAND]"),
        (&["help"][..], "Usage: channel-patterns [COMMAND]"),
        (
            &["report", "--help"][..],
            "Usage: channel-patterns report [OPTIONS]",
        ),
        (&["list", "--help"][..], "Usage: channel-patterns list"),
        (
            &["run", "--help"][..],
            "Usage: channel-patterns run [OPTIONS] <NAME>",
        ),
        (
            &["errata", "--help"][..],
            "Usage: channel-patterns errata [ID]",
        ),
        (
            &["help", "proxy"][..],
            "Usage: channel-patterns proxy [OPTIONS] --listen <ADDR> --upstream <HOST:PORT> --idle-timeout <DURATION>",
        ),
        (
            &["proxy", "-h"][..],
            "Usage: channel-patterns proxy [OPTIONS] --listen <ADDR> --upstream <HOST:PORT> --idle-timeout <DURATION>",
        ),
    ] {
        let output = channel_patterns(args);
        assert!(output.status.success(), "{args:?}: {output:?}");
        let stdout = String::from_utf8(output.stdout).unwrap();
        assert!(stdout.contains(usage), "{args:?}: {stdout}");
    }
    let top = String::from_utf8(channel_patterns(&["--help"]).stdout).unwrap();
    for command in ["report", "list", "run", "errata", "guide", "proxy"] {
        assert!(top.contains(&format!("\n  {command} ")), "{command}: {top}");
    }
    let proxy = String::from_utf8(channel_patterns(&["proxy", "--help"]).stdout).unwrap();
    for flag in [
        "--listen",
        "--upstream",
        "--idle-timeout",
        "--max-connections",
        "--drain-timeout",
        "--threads",
    ] {
        assert!(proxy.contains(flag), "{flag}: {proxy}");
    }
    assert!(proxy.contains("[default: 30s]"), "{proxy}");
}

#[test]
fn version() {
    let output = channel_patterns(&["--version"]);
    assert!(output.status.success());
    assert_eq!(
        String::from_utf8(output.stdout).unwrap(),
        format!("channel-patterns {}\n", env!("CARGO_PKG_VERSION"))
    );
}

/// `errata`: one line per entry of ERRATA.md's table, its columns aligned.
#[test]
fn errata_lists_every_erratum() {
    let output = channel_patterns(&["errata"]);
    assert!(output.status.success());
    let lines = stdout_lines(&output);
    let all = errata::all();
    assert_eq!(all.len(), 28);
    for (line, erratum) in lines.iter().zip(all) {
        assert!(
            line.starts_with(&format!("{}  {}", erratum.id, erratum.place)),
            "{line}"
        );
        assert!(line.ends_with(erratum.summary), "{line}");
        let kind_at = line.find(erratum.kind).unwrap();
        assert_eq!(kind_at, lines[0].find(all[0].kind).unwrap(), "{line}");
    }
    assert_eq!(
        lines.last().unwrap(),
        "Each one in full, with the command that shows it: channel-patterns errata ID"
    );
}

/// `errata E02` (any case): the entry of ERRATA.md, then the commands that show it.
#[test]
fn errata_id_prints_the_entry_and_the_commands_that_show_it() {
    for id in ["E02", "e02"] {
        let output = channel_patterns(&["errata", id]);
        assert!(output.status.success(), "{output:?}");
        let text = String::from_utf8(output.stdout).unwrap();
        let entry = errata::find("E02").unwrap();
        assert!(
            text.starts_with("E02. The lagging example never finishes\n\n**Claim.**"),
            "{text}"
        );
        assert!(text.contains(entry.body), "{text}");
        assert!(
            text.ends_with(
                "Shown by:\n  cargo test --test guide errata::e02\n  channel-patterns run broadcast-lagging --as-written\n"
            ),
            "{text}"
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

/// The proxy binary, run under coreutils' `timeout` like every run here, and stopped by a
/// signal to its own pid, which its "proxy listening" line gives. Never through `timeout`: a
/// signal that reaches `timeout` before its `fork()` has returned in it makes it exit 128+N
/// without passing the signal on, and under load that can be after the proxy has started and
/// logged. The proxy was then left running, holding the log pipe open, and the test waited
/// for ever (2 runs of 20 of a 100-signal version of the test below, with both cores busy).
struct RunningProxy {
    /// `timeout`, the proxy's parent.
    bound: std::process::Child,
    /// The proxy's stderr: its log. Reads end when the proxy does, which `timeout` bounds.
    log: std::io::BufReader<std::process::ChildStderr>,
    /// From the first log line; `None` until it has been read.
    pid: Option<String>,
    /// Where it listens, from the same line: the tests ask for port 0, since a port probed
    /// free could be taken meanwhile by another test's proxy (they bind with SO_REUSEPORT).
    listen: String,
}

impl RunningProxy {
    /// Starts `channel-patterns proxy ARGS` at log level info, and reads its first line, which
    /// must say that it is listening and give its pid.
    fn start(args: &[&str]) -> Self {
        let mut command_line = vec!["proxy"];
        command_line.extend_from_slice(args);
        let mut bound = bounded_command(&command_line)
            .env("RUST_LOG", "info")
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        let log = std::io::BufReader::new(bound.stderr.take().unwrap());
        let mut proxy = Self {
            bound,
            log,
            pid: None,
            listen: String::new(),
        };
        let line = proxy.next_line();
        assert!(line.contains("proxy listening"), "{line}");
        let field = |name: &str| {
            line.split_whitespace()
                .find_map(|field| field.strip_prefix(name))
                .unwrap_or_else(|| panic!("no {name} in the listening line: {line}"))
                .to_string()
        };
        proxy.listen = field("listen=");
        proxy.pid = Some(field("pid="));
        proxy
    }

    /// The next line of its log.
    fn next_line(&mut self) -> String {
        use std::io::BufRead;
        let mut line = String::new();
        self.log.read_line(&mut line).unwrap();
        line
    }

    /// Sends it `signal` ("-TERM", "-INT").
    fn signal(&self, signal: &str) {
        let pid = self
            .pid
            .as_deref()
            .expect("the pid, from the listening line");
        let sent = Command::new("kill").args([signal, pid]).status().unwrap();
        assert!(sent.success(), "kill {signal} {pid}");
    }

    /// Waits for it to exit: its exit code (`timeout` exits as it does), and the rest of its
    /// log.
    fn wait(&mut self) -> (Option<i32>, String) {
        use std::io::Read;
        let code = self.bound.wait().unwrap().code();
        let mut rest = String::new();
        self.log.read_to_string(&mut rest).unwrap();
        (code, rest)
    }
}

impl Drop for RunningProxy {
    /// Stops it if the test fails half-way: SIGTERM to the proxy when its pid is known. Else
    /// `timeout` ends it within its limit (as it does if the test itself is killed); a signal
    /// to `timeout` could orphan it, as above.
    fn drop(&mut self) {
        if let Ok(None) = self.bound.try_wait() {
            if let Some(pid) = &self.pid {
                let _ = Command::new("kill").args(["-TERM", pid]).status();
            }
            let _ = self.bound.wait();
        }
    }
}

/// The real binary: relays a request and its answer, logs the connection at info level, and
/// exits 0 on SIGTERM after draining.
#[test]
fn proxy_relays_logs_and_exits_0_on_sigterm() {
    use std::io::{Read, Write};
    use std::net::{Shutdown, TcpListener, TcpStream};

    let upstream = TcpListener::bind("127.0.0.1:0").unwrap();
    let upstream_addr = upstream.local_addr().unwrap().to_string();
    let echo = std::thread::spawn(move || {
        let (mut s, _) = upstream.accept().unwrap();
        let mut request = Vec::new();
        s.read_to_end(&mut request).unwrap();
        s.write_all(&request.to_ascii_uppercase()).unwrap();
    });
    let mut proxy = RunningProxy::start(&[
        "--listen",
        "127.0.0.1:0",
        "--upstream",
        &upstream_addr,
        "--idle-timeout",
        "10s",
        "--drain-timeout",
        "1s",
        "--threads",
        "2",
    ]);

    let mut c = TcpStream::connect(&proxy.listen).unwrap();
    c.set_read_timeout(Some(std::time::Duration::from_secs(RUN_LIMIT_SECS.into())))
        .unwrap();
    c.write_all(b"hello").unwrap();
    c.shutdown(Shutdown::Write).unwrap();
    let mut answer = String::new();
    c.read_to_string(&mut answer).unwrap();
    assert_eq!(answer, "HELLO");
    echo.join().unwrap();

    let line = proxy.next_line();
    assert!(line.contains("connection closed"), "{line}");
    assert!(line.contains("client_to_upstream=5"), "{line}");
    assert!(line.contains("upstream_to_client=5"), "{line}");
    assert!(line.contains("reason=finished"), "{line}");

    proxy.signal("-TERM");
    let (code, rest) = proxy.wait();
    assert_eq!(code, Some(0), "{rest}");
    assert!(rest.contains("proxy stopped"), "{rest}");
    // Each of the two servers says how many of its connections are still open: none, the one
    // connection having closed. (It once counted the other thread's server as one.)
    let draining: Vec<_> = rest
        .lines()
        .filter(|line| line.contains("shutting down: no longer accepting"))
        .collect();
    assert_eq!(draining.len(), 2, "{rest}");
    for line in draining {
        assert!(line.contains(" open=0 "), "{line}");
    }
}

/// A stop signal sent as soon as the proxy says it is listening drains it (exit 0), whether it
/// is SIGTERM or SIGINT: the handlers are in place before that line. Handlers registered on
/// the signals thread after it let a few in 100 such signals kill the proxy (exit 143 or 130),
/// so this sends 20 of each: enough to catch that in 3 runs of 30 on an idle machine (kill(1)
/// gives the proxy a millisecond or so); more rounds cost `cargo test` time on a busy one.
#[test]
fn proxy_drains_on_a_signal_sent_as_soon_as_it_says_listening() {
    for round in 0..40 {
        let signal = if round % 2 == 0 { "-TERM" } else { "-INT" };
        let mut proxy = RunningProxy::start(&[
            "--listen",
            "127.0.0.1:0",
            "--upstream",
            "127.0.0.1:9",
            "--idle-timeout",
            "10s",
            "--threads",
            "1",
        ]);
        proxy.signal(signal);
        let (code, rest) = proxy.wait();
        assert_eq!(code, Some(0), "round {round}, kill {signal}: {rest}");
        assert!(rest.contains("proxy stopped"), "{rest}");
    }
}

/// `run broadcast-lagging --as-written`: the guide's code prints its three lines, then waits
/// for ever (E02): the verdict says so after an hour of paused time, and names the erratum.
#[test]
fn run_as_written_shows_the_lagging_example_hang() {
    let output = channel_patterns(&["run", "broadcast-lagging", "--as-written"]);
    assert_eq!(output.status.code(), Some(1), "{output:?}");
    assert_eq!(
        String::from_utf8(output.stdout).unwrap(),
        "Missed 3 messages\nReceived: 3\nReceived: 4\n\
         verdict: still waiting after 1h of paused time, with no task alive besides main\n\
         \n\
         Explained by:\n  \
         E02  waits for `Closed` while its own sender is alive (never finishes: channel-patterns errata E02)\n\
         \n\
         Also about this code:\n  \
         E12  broadcast stores the latest messages, not all (wrong cell: channel-patterns errata E12)\n"
    );
}

/// `run app-shutdown --as-written`: the guide's code panics (E03); the verdict reports it, and
/// nothing else does (no `thread 'main' panicked` on stderr).
#[test]
fn run_as_written_reports_the_app_shutdown_panic_once() {
    let output = channel_patterns(&["run", "app-shutdown", "--as-written"]);
    assert_eq!(output.status.code(), Some(1), "{output:?}");
    let stdout = String::from_utf8(output.stdout).unwrap();
    assert!(
        stdout.starts_with(
            "verdict: panicked: called `Result::unwrap()` on an `Err` value: SendError { .. }\n"
        ),
        "{stdout}"
    );
    assert!(stdout.contains("\n  E03  "), "{stdout}");
    assert_eq!(String::from_utf8_lossy(&output.stderr), "");
}

/// Every pattern `--as-written`: a verdict line after what the code printed; exit 0 exactly
/// when it finished cleanly, and otherwise at least one of the pattern's errata explains it.
#[test]
fn run_as_written_gives_every_pattern_a_verdict_and_its_errata() {
    for pattern in catalog::PATTERNS {
        let output = channel_patterns(&["run", pattern.name, "--as-written"]);
        let stdout = String::from_utf8(output.stdout).unwrap();
        let verdict = stdout
            .lines()
            .find(|l| l.starts_with("verdict: "))
            .unwrap_or_else(|| panic!("{}: no verdict in {stdout}", pattern.name));
        let finished = verdict == "verdict: finished";
        assert_eq!(
            output.status.success(),
            finished,
            "{}: {verdict}",
            pattern.name
        );
        assert_eq!(
            stdout.contains("\nExplained by:\n"),
            !finished,
            "{}: {stdout}",
            pattern.name
        );
        for erratum in pattern.errata {
            assert!(
                stdout.contains(&format!("  {erratum}  ")),
                "{}: {stdout}",
                pattern.name
            );
        }
    }
}

/// `guide` prints exactly the committed `guide/tokio-channels.corrected.md` (which
/// `tests/guide/corrected_guide.rs` checks block by block), ending with a newline.
#[test]
fn guide_prints_the_committed_corrected_guide() {
    let output = channel_patterns(&["guide"]);
    assert!(output.status.success(), "{output:?}");
    let printed = String::from_utf8(output.stdout).unwrap();
    assert!(printed.ends_with('\n'));
    assert!(
        printed == include_str!("../../guide/tokio-channels.corrected.md"),
        "`channel-patterns guide` differs from guide/tokio-channels.corrected.md: regenerate it \
         with `UPDATE_GUIDE=1 cargo test --test guide corrected_guide::`"
    );
}
