//! The corrected guide (`guide/tokio-channels.corrected.md`) is the original with the smallest
//! change that fixes each erratum, and every program in it is the code the checks run:
//! - each `rust` block is the file of `crates/patterns/src/corrected/` for its section, byte for
//!   byte but for the documented edits (`UPDATE_GUIDE=1 cargo test --test guide
//!   corrected_guide::` copies the files' blocks into the guide);
//! - every hunk of the diff from the original names the erratum it fixes, and every link to
//!   ERRATA.md lands on an erratum;
//! - none of the wrong claims is left;
//! - every block compiles alone, in a crate that depends on tokio with exactly the features its
//!   chapter states, with `-D warnings`, and every program runs there.
use crate::common;
use crate::guide_programs;

use std::path::{Path, PathBuf};

use channel_patterns::{catalog, guide};
use common::{block_file, under_mutants};
use guide_programs::{
    MPSC, build, build_corrected_programs, chapters, programs, programs_crate, run_program,
    rust_block, stated_features,
};
use pretty_assertions::assert_eq;

const ROOT: &str = env!("CARGO_MANIFEST_DIR");

fn corrected_path() -> PathBuf {
    Path::new(ROOT).join("guide/tokio-channels.corrected.md")
}

/// The file of `crates/patterns/src/corrected/` that holds the program of the pattern `name`.
fn pattern_file(name: &str) -> PathBuf {
    Path::new(ROOT).join(format!(
        "crates/patterns/src/corrected/{}.rs",
        name.replace('-', "_")
    ))
}

/// Each program block of the corrected guide is its file of `crates/patterns/src/corrected/`, as a
/// reader sees it; with `UPDATE_GUIDE=1`, the files' blocks are copied into the guide first.
#[test]
fn every_program_block_is_the_code_the_checks_run() {
    let path = corrected_path();
    let mut text = std::fs::read_to_string(&path).unwrap();
    let update = std::env::var_os("UPDATE_GUIDE").is_some();
    for p in catalog::PATTERNS {
        let block = block_file(&pattern_file(p.name));
        let range = rust_block(&text, p.chapter, p.heading);
        if update {
            text.replace_range(range, &block);
        } else {
            assert_eq!(
                text[range].to_string(),
                block,
                "{}: the corrected guide's block differs from {} (UPDATE_GUIDE=1 copies the file's)",
                p.name,
                pattern_file(p.name).display()
            );
        }
    }
    if update {
        std::fs::write(&path, &text).unwrap();
    }
    // The one block that is not a program, the fragment of "Bounded vs Unbounded", is the
    // original's.
    let fragment = |t: &str| t[rust_block(t, MPSC, "Bounded vs Unbounded")].to_string();
    assert_eq!(fragment(&text), fragment(guide::TEXT));
    assert_eq!(
        text.matches("```rust\n").count(),
        catalog::PATTERNS.len() + 1,
        "one rust block per program, and the fragment"
    );
}

/// A link to an erratum: `](../ERRATA.md#e05-...)`.
const LINK: &str = "](../ERRATA.md#";

/// Every hunk of the diff from the original to the corrected guide (three lines of context,
/// as `git diff` shows it) names the erratum it fixes: it adds a link to it, or it changes a
/// code block and the note under that block (the lines after its closing fence) has the link.
/// A reader can follow each change to its reason.
#[test]
fn every_hunk_of_the_diff_names_its_erratum() {
    let lines: Vec<&str> = guide::CORRECTED.lines().collect();
    // For each line of the corrected guide, the end of the fenced block it is in.
    let mut block_end = vec![None; lines.len()];
    let mut open = None;
    for (i, line) in lines.iter().enumerate() {
        if line.starts_with("```") {
            if let Some(start) = open.take() {
                block_end[start..=i].iter_mut().for_each(|e| *e = Some(i));
            } else {
                open = Some(i);
            }
        }
    }
    let note_under = |end: usize| {
        lines[end + 1..]
            .iter()
            .skip_while(|l| l.is_empty())
            .take_while(|l| l.starts_with('>'))
            .any(|l| l.contains(LINK))
    };
    let diff = similar::TextDiff::from_lines(guide::TEXT, guide::CORRECTED);
    let mut hunks = 0;
    for hunk in diff.unified_diff().context_radius(3).iter_hunks() {
        hunks += 1;
        let changes: Vec<_> = hunk
            .iter_changes()
            .filter(|c| c.tag() != similar::ChangeTag::Equal)
            .collect();
        let links = changes
            .iter()
            .any(|c| c.tag() == similar::ChangeTag::Insert && c.value().contains(LINK));
        // A change in a block: where it is in the corrected guide (a deletion, at the line of
        // the corrected guide that follows it).
        let in_noted_block = changes.iter().all(|c| {
            let at = c.new_index().or_else(|| {
                hunk.iter_changes()
                    .skip_while(|d| d.old_index() != c.old_index())
                    .find_map(|d| d.new_index())
            });
            at.and_then(|i| block_end[i]).is_some_and(note_under)
        });
        assert!(
            links || in_noted_block,
            "a change that names no erratum:\n{hunk}"
        );
    }
    assert!(hunks > 0);
}

/// The anchor GitHub gives a heading: lower case, spaces to dashes, punctuation dropped.
fn anchor(heading: &str) -> String {
    heading
        .trim()
        .to_lowercase()
        .chars()
        .filter(|c| c.is_alphanumeric() || *c == ' ' || *c == '-' || *c == '_')
        .map(|c| if c == ' ' { '-' } else { c })
        .collect()
}

/// Every link of the corrected guide to ERRATA.md lands on an erratum's heading, and every
/// erratum about the guide's text or code is linked from the place it corrects.
#[test]
fn every_erratum_link_lands_on_its_erratum_and_every_erratum_is_linked() {
    let errata = std::fs::read_to_string(Path::new(ROOT).join("ERRATA.md")).unwrap();
    let anchors: Vec<(String, String)> = errata
        .lines()
        .filter_map(|l| l.strip_prefix("## "))
        .filter(|h| h.starts_with('E'))
        .map(|h| (h[..3].to_string(), anchor(h)))
        .collect();
    assert!(anchors.len() >= 28, "{anchors:?}");
    let mut linked = Vec::new();
    for link in guide::CORRECTED.split(LINK).skip(1) {
        let target = &link[..link.find(')').unwrap()];
        let Some((id, _)) = anchors.iter().find(|(_, a)| a == target) else {
            panic!("a link to no erratum: #{target}");
        };
        assert_eq!(
            guide::CORRECTED
                .split(LINK)
                .filter(|l| l.starts_with(target))
                .count(),
            guide::CORRECTED
                .matches(&format!("[{id}{LINK}{target})"))
                .count(),
            "a link to #{target} is not labelled {id}"
        );
        linked.push(id.clone());
    }
    for (id, _) in &anchors {
        assert!(
            linked.contains(id),
            "{id} is not linked from the corrected guide"
        );
    }
}

/// The wrong claims of the original, none left in the corrected guide: each is what its
/// erratum quotes.
#[test]
fn no_wrong_claim_is_left() {
    let wrong = [
        ("E01", "async fn spawn_with_result"),
        (
            "E02",
            "tx.send(i).unwrap();\n    }\n\n    // Try to receive",
        ),
        ("E03", "self.state_tx.send(AppState::ShuttingDown).unwrap()"),
        ("E05", "every subscriber gets every message."),
        ("E05", "all get all"),
        ("E05", "Need **all receivers to see all messages**"),
        ("E06", "Give subscribers time to process"),
        (
            "E07",
            "tokio::time::sleep(std::time::Duration::from_millis(50)).await;\n}",
        ),
        ("E09", "Pin the oneshot future"),
        ("E10", "Waits until the value changes"),
        ("E10", "Wait until value changes"),
        ("E11", "| `watch`     | One "),
        ("E12", "✅ (bounded)     | ❌ (latest only)"),
        ("E14", "The monitor polls periodically"),
        ("E14", "Polling-based observers (like our idle timeout)"),
        ("E14", "tokio::time::sleep(Duration::from_secs(1)).await;"),
        ("E15", "use std::time::{Duration, Instant};"),
        ("E16", "let client2upstream = tokio::spawn"),
        ("E18", "_ = do_work() => {}"),
        ("E19", "| N/A              |\n| Stores"),
        ("E21", "activity_tx.send(Instant::now())"),
        ("E22", "while let Ok(event)"),
        ("E23", "writer.write_all(&buffer[..bytes_read])"),
        ("E25", "Read current value (never blocks)"),
        ("E25", "Returns current value immediately, never waits"),
        ("E26", "let value = *rx.borrow();"),
        ("E27", "Q1 -->|One message| oneshot"),
        ("E28", "let (activity_tx, mut activity_rx)"),
    ];
    for (id, claim) in wrong {
        assert!(
            guide::TEXT.contains(claim),
            "{id}: {claim:?} is not in the original"
        );
        assert!(
            !guide::CORRECTED.contains(claim),
            "{id}: {claim:?} is still in the corrected guide"
        );
    }
}

/// Every block of the corrected guide compiles alone, in a crate that depends on tokio with
/// exactly the features its chapter states, and not on this crate, with `-D warnings`; every
/// program runs there to the end, on the runtime `#[tokio::main]` gives it. (What it prints
/// there is one of the outputs loom finds: `tests/loom_models/loom_guide.rs`.)
#[test]
fn every_block_compiles_alone_with_its_chapters_features_and_runs() {
    if under_mutants() {
        return;
    }
    // All at once: they mostly sleep.
    let runs: Vec<_> = build_corrected_programs()
        .into_iter()
        // A fragment, with nothing to run.
        .filter(|(name, _)| name != "watch-idle-timeout")
        .map(|(_, binary)| std::thread::spawn(move || run_program(&binary, 20)))
        .collect();
    for run in runs {
        run.join().expect("a program ran to its end");
    }
}

/// E24: with `tokio = "1"` and no features, the guide's first program does not compile: the
/// guide has to say which features its programs need.
#[test]
fn e24_without_features_the_first_program_does_not_compile() {
    if under_mutants() {
        return;
    }
    let basic = catalog::find("mpsc-basic").unwrap();
    let block = &guide::TEXT[rust_block(guide::TEXT, basic.chapter, basic.heading)];
    let root = programs_crate(
        "no-features",
        &[],
        &[("mpsc_basic".into(), block.to_string())],
    );
    let errors = build(&root).expect_err("it compiled without any feature");
    for missing in ["no `mpsc` in `sync`", "could not find `main` in `tokio`"] {
        assert!(errors.contains(missing), "{missing}:\n{errors}");
    }
}

/// E28: with `-D warnings` (and every feature the corrected guide states: the original's event
/// example also sleeps), the original's programs compile but for these: `spawn_with_result`
/// does not compile at all (E01), and three draw warnings.
#[test]
fn e28_the_original_blocks_that_draw_warnings() {
    if under_mutants() {
        return;
    }
    let mut features: Vec<String> = chapters().into_iter().flat_map(stated_features).collect();
    features.sort();
    features.dedup();
    let mut errors = String::new();
    for chapter in chapters() {
        let root = programs_crate("as-written", &features, &programs(guide::TEXT, chapter));
        if let Err(e) = build(&root) {
            errors += &e;
        }
    }
    let failing: Vec<&str> = catalog::names()
        .filter(|name| {
            errors.contains(&format!(
                "src/bin/as-written-{}.rs:",
                name.replace('-', "_")
            ))
        })
        .collect();
    assert_eq!(
        failing,
        [
            "oneshot-spawn-with-result",
            "broadcast-events",
            "watch-idle-timeout",
            "app-shutdown"
        ],
        "{errors}"
    );
    let warnings = [
        (
            "broadcast_events",
            "variant `UserLoggedOut` is never constructed",
        ),
        ("watch_idle_timeout", "variable does not need to be mutable"),
        ("app_shutdown", "unused variable: `state_rx`"),
        ("app_shutdown", "variant `Stopped` is never constructed"),
    ];
    for (file, warning) in warnings {
        assert!(
            errors
                .lines()
                .any(|l| l.starts_with(&format!("src/bin/as-written-{file}.rs:"))
                    && l.contains(warning)),
            "{file}: {warning}:\n{errors}"
        );
    }
}
