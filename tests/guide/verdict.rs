//! The report's verdict (`conformance::judge`) on runs that go wrong, which the real programs, all
//! correct, never produce: each check fails the verdict on its own, with its message.

use std::time::Duration;

use channel_patterns::catalog::{self, Pattern};
use channel_patterns::conformance::judge as verdict;
use channel_patterns::conformance::{Run, Verdict};
use channel_patterns::guide::{self, Documented};
use pretty_assertions::assert_eq;

fn run_of(pattern: &Pattern) -> Run {
    Run {
        lines: pattern.expected.iter().map(|l| l.to_string()).collect(),
        verdict: Verdict::Finished,
        simulated: Duration::ZERO,
    }
}

/// A pattern whose corrected guide section has an Output block that `continues` (or does
/// not), and one without any.
fn pattern_where(documented: impl Fn(Option<Documented>) -> bool) -> &'static Pattern {
    catalog::PATTERNS
        .iter()
        .find(|p| {
            documented(guide::documented_output(
                guide::CORRECTED,
                p.chapter,
                p.heading,
            ))
        })
        .expect("the catalog has such a pattern")
}

#[test]
fn a_correct_run_is_ok_and_says_how_it_matched() {
    let whole = pattern_where(|d| d.is_some_and(|d| !d.continues));
    let start = pattern_where(|d| d.is_some_and(|d| d.continues));
    let none = pattern_where(|d| d.is_none());
    assert_eq!(
        verdict(whole, &run_of(whole)),
        Ok("ok, is the guide's Output block".to_string())
    );
    assert_eq!(
        verdict(start, &run_of(start)),
        Ok("ok, starts with the guide's Output block".to_string())
    );
    assert_eq!(
        verdict(none, &run_of(none)),
        Ok(format!("ok, {} lines as expected", none.expected.len()))
    );
}

#[test]
fn each_failure_is_named() {
    let pattern = pattern_where(|d| d.is_some_and(|d| !d.continues));
    let failed = Run {
        verdict: Verdict::Panicked {
            message: "the reply channel closed".into(),
        },
        ..run_of(pattern)
    };
    assert_eq!(
        verdict(pattern, &failed),
        Err("panicked: the reply channel closed".to_string())
    );
    let mut short = run_of(pattern);
    short.lines.truncate(1);
    assert_eq!(
        verdict(pattern, &short),
        Err(format!("1 line, expected {}", pattern.expected.len()))
    );
    short.lines.clear();
    assert_eq!(
        verdict(pattern, &short),
        Err(format!("0 lines, expected {}", pattern.expected.len()))
    );
    for (tasks, words) in [
        (1, "finished, but left 1 task running"),
        (2, "finished, but left 2 tasks running"),
    ] {
        let left = Run {
            verdict: Verdict::LeftRunning { tasks },
            ..run_of(pattern)
        };
        assert_eq!(verdict(pattern, &left), Err(words.to_string()));
    }
}

/// A transcript that is what the pattern expects but not what the guide shows (the catalog's
/// expectation and the guide disagreeing) fails against the guide.
#[test]
fn a_transcript_the_guide_does_not_show_fails() {
    let pattern = pattern_where(|d| d.is_some_and(|d| !d.continues));
    let doctored = Pattern {
        expected: &["a line the guide does not show"],
        ..*pattern
    };
    let run = run_of(&doctored);
    assert_eq!(
        verdict(&doctored, &run),
        Err("differs from the guide's Output block".to_string())
    );
}

#[test]
fn an_output_block_matches_exactly_or_as_a_prefix_when_it_continues() {
    let lines = |ls: &[&str]| ls.iter().map(|l| l.to_string()).collect::<Vec<_>>();
    let exact = Documented {
        lines: lines(&["a", "b"]),
        continues: false,
    };
    assert!(exact.matches(&lines(&["a", "b"])));
    assert!(!exact.matches(&lines(&["a", "b", "c"])));
    assert!(!exact.matches(&lines(&["a"])));
    let prefix = Documented {
        continues: true,
        ..exact
    };
    assert!(prefix.matches(&lines(&["a", "b", "c"])));
    assert!(prefix.matches(&lines(&["a", "b"])));
    assert!(!prefix.matches(&lines(&["b", "a", "c"])));
}
