//! The binary's interface: report, list, run NAME, and its errors.

use std::process::{Command, Output};

use channel_patterns::catalog;
use pretty_assertions::assert_eq;

fn channel_patterns(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_channel-patterns"))
        .args(args)
        .output()
        .expect("the binary runs")
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
