//! The guide's programs as a reader builds them: each block in a crate of its own that depends
//! on tokio with the features its chapter states, and nothing else (`corrected_guide` builds and
//! runs them; `tests/loom_models/loom_guide.rs`, which includes this file, runs them on tokio's
//! multi-thread runtime and checks what they print against loom).

use std::path::{Path, PathBuf};
use std::process::Command;

use channel_patterns::{catalog, guide};

const ROOT: &str = env!("CARGO_MANIFEST_DIR");

/// The chapter of the bounded-versus-unbounded fragment, the one block that is not a program.
pub const MPSC: &str = "mpsc - Multi-Producer, Single-Consumer";

/// The byte range of the first `rust` block's body under `## chapter` / `### heading` of
/// `text`.
pub fn rust_block(text: &str, chapter: &str, heading: &str) -> std::ops::Range<usize> {
    let chapter_at = text
        .find(&format!("\n## {chapter}\n"))
        .unwrap_or_else(|| panic!("no chapter {chapter}"));
    let heading_at = chapter_at
        + text[chapter_at..]
            .find(&format!("\n### {heading}\n"))
            .unwrap_or_else(|| panic!("no section {heading} in {chapter}"));
    let start = heading_at + text[heading_at..].find("```rust\n").unwrap() + "```rust\n".len();
    let end = start + text[start..].find("```\n").unwrap();
    start..end
}

/// A `Cargo.toml` line of the corrected guide: the tokio features the programs of a chapter
/// need.
pub fn stated_features(chapter: &str) -> Vec<String> {
    let start = guide::CORRECTED
        .find(&format!("\n## {chapter}\n"))
        .unwrap_or_else(|| panic!("no chapter {chapter}"));
    let text = &guide::CORRECTED[start..];
    let line = text
        .lines()
        .find(|l| l.starts_with("tokio = { version = \"1\", features = ["))
        .unwrap_or_else(|| panic!("{chapter} states no features"));
    let list = &line[line.find('[').unwrap() + 1..line.find(']').unwrap()];
    list.split(", ")
        .map(|f| f.trim_matches('"').to_string())
        .collect()
}

/// A crate of programs, depending on tokio 1.54 with `features` and nothing else, under
/// `target/`: one binary per `(name, source)`, called `{dir}-{name}` (the crates share a
/// target directory, so that tokio is built once per set of features). Built incrementally,
/// so that an unchanged guide costs a no-op build.
pub fn programs_crate(dir: &str, features: &[String], programs: &[(String, String)]) -> PathBuf {
    let root = programs_dir().join(dir);
    let bin = root.join("src/bin");
    if bin.exists() {
        std::fs::remove_dir_all(&bin).unwrap();
    }
    std::fs::create_dir_all(&bin).unwrap();
    let features: Vec<String> = features.iter().map(|f| format!("{f:?}")).collect();
    let manifest = format!(
        "[package]\nname = \"guide-programs-{dir}\"\nversion = \"0.0.0\"\nedition = \"2024\"\n\
         publish = false\n\n[dependencies]\n\
         tokio = {{ version = \"1.54\", features = [{}] }}\n\n\
         # Not a member of the crate's workspace (it lives under its target directory).\n\
         [workspace]\n",
        features.join(", ")
    );
    std::fs::write(root.join("Cargo.toml"), manifest).unwrap();
    // The crate's own lock: the same tokio as everywhere else, and no registry lookup.
    std::fs::copy(Path::new(ROOT).join("Cargo.lock"), root.join("Cargo.lock")).unwrap();
    for (name, source) in programs {
        std::fs::write(bin.join(format!("{dir}-{name}.rs")), source).unwrap();
    }
    root
}

/// Where the crates of [`programs_crate`] are: `target/guide-programs` of the checkout, the
/// same for the loom build as for the normal one, since the programs are built for neither.
fn programs_dir() -> PathBuf {
    Path::new(ROOT).join("target/guide-programs")
}

/// Where the programs of [`programs_crate`] are built.
pub fn programs_target() -> PathBuf {
    programs_dir().join("target")
}

/// Builds a crate of [`programs_crate`] with `-D warnings`, every binary even when one fails;
/// the compiler's messages on failure, one per line, each starting with its file.
pub fn build(root: &Path) -> Result<(), String> {
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let out = Command::new(cargo)
        .args(["build", "--quiet", "--offline", "--bins", "--keep-going"])
        .arg("--message-format=short")
        .arg("--target-dir")
        .arg(programs_target())
        .current_dir(root)
        .env_remove("CARGO_TARGET_DIR")
        .env("RUSTFLAGS", "-D warnings")
        .output()
        .unwrap();
    if out.status.success() {
        Ok(())
    } else {
        Err(String::from_utf8_lossy(&out.stderr).into_owned())
    }
}

/// The guide's chapters with programs, as the catalog names them.
pub fn chapters() -> Vec<&'static str> {
    let mut chapters: Vec<&str> = catalog::PATTERNS.iter().map(|p| p.chapter).collect();
    chapters.dedup();
    chapters
}

/// A block as a program of its own: a program is itself; the two that are not get a wrapper
/// (the fragment, a function around it; the idle-timeout functions, a `main` that names
/// them).
pub fn program(name: &str, block: &str) -> String {
    match name {
        "watch-idle-timeout" => {
            format!("{block}\nfn main() {{\n    let _ = proxy_with_idle_timeout;\n}}\n")
        }
        _ => block.to_string(),
    }
}

/// The programs of `chapter` in `guide` (the original or the corrected one), as
/// `(file name, source)`: the blocks of its patterns.
pub fn programs(guide: &str, chapter: &str) -> Vec<(String, String)> {
    catalog::PATTERNS
        .iter()
        .filter(|p| p.chapter == chapter)
        .map(|p| {
            let block = &guide[rust_block(guide, p.chapter, p.heading)];
            (p.name.replace('-', "_"), program(p.name, block))
        })
        .collect()
}

/// The programs of `chapter` in the corrected guide ([`programs`]), and for the mpsc chapter
/// the fragment in a function of its own.
pub fn corrected_programs(chapter: &str) -> Vec<(String, String)> {
    let mut programs = programs(guide::CORRECTED, chapter);
    if chapter == MPSC {
        let fragment =
            &guide::CORRECTED[rust_block(guide::CORRECTED, MPSC, "Bounded vs Unbounded")];
        // A fragment: its bindings only show the two constructors.
        programs.push((
            "bounded_vs_unbounded".into(),
            format!("#[allow(unused_variables)]\nfn main() {{\n{fragment}}}\n"),
        ));
    }
    programs
}

/// Builds every program of the corrected guide, chapter by chapter, each with its chapter's
/// features; returns the path of the binary of each, by pattern name.
///
/// # Panics
/// When a block does not compile alone, with the compiler's messages.
pub fn build_corrected_programs() -> Vec<(String, PathBuf)> {
    let mut binaries = Vec::new();
    for chapter in chapters() {
        let programs = corrected_programs(chapter);
        let features = stated_features(chapter);
        let dir = chapter.split(' ').next().unwrap_or(chapter).to_lowercase();
        let root = programs_crate(&dir, &features, &programs);
        if let Err(errors) = build(&root) {
            panic!("{chapter}: a block does not compile alone with {features:?}:\n{errors}");
        }
        for (name, _) in programs {
            let binary = programs_target().join(format!("debug/{dir}-{name}"));
            binaries.push((name.replace('_', "-"), binary));
        }
    }
    binaries
}

/// Runs a built program under coreutils' `timeout` (`secs` of real time): its stdout, as lines.
///
/// # Panics
/// When it fails or runs out of time.
pub fn run_program(binary: &Path, secs: u32) -> Vec<String> {
    let run = Command::new("timeout")
        .arg(secs.to_string())
        .arg(binary)
        .output()
        .unwrap();
    assert!(
        run.status.success(),
        "{} failed or took over {secs} s:\nstdout:\n{}\nstderr:\n{}",
        binary.display(),
        String::from_utf8_lossy(&run.stdout),
        String::from_utf8_lossy(&run.stderr)
    );
    String::from_utf8_lossy(&run.stdout)
        .lines()
        .map(String::from)
        .collect()
}
