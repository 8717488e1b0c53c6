//! ERRATA.md and the code agree: the file has the shape `errata` reads (a table row and a
//! section for each erratum, nothing unpaired), every erratum a pattern cites has an entry,
//! every entry names a command that runs tests, and every entry is cited by a pattern or by a
//! test. AUDIT.md and the README's map cite only what exists, and the map names every test.

use channel_patterns::{catalog, errata};
use pretty_assertions::assert_eq;

fn entry_ids() -> Vec<String> {
    errata::all().iter().map(|e| e.id.to_string()).collect()
}

/// Every `## Exx.` section and every `| Exx |` table row is read, paired with the other: an
/// erratum missing from either would be missing from `channel-patterns errata`.
#[test]
fn every_section_and_every_table_row_is_read() {
    let sections: Vec<&str> = errata::TEXT
        .lines()
        .filter_map(|l| l.strip_prefix("## "))
        .map(|h| h.split_once(". ").map_or(h, |(id, _)| id))
        .collect();
    let rows: Vec<&str> = errata::TEXT
        .lines()
        .filter_map(|l| l.strip_prefix("| E"))
        .map(|rest| &rest[..2])
        .collect();
    assert_eq!(sections, entry_ids());
    assert_eq!(
        rows.iter().map(|n| format!("E{n}")).collect::<Vec<_>>(),
        entry_ids()
    );
    for erratum in errata::all() {
        assert!(!erratum.summary.is_empty() && !erratum.title.is_empty());
        assert!(erratum.body.starts_with("**Claim.**"), "{}", erratum.id);
        assert!(erratum.evidence().is_some(), "{}", erratum.id);
    }
    assert_eq!(errata::find("e02").map(|e| e.id), Some("E02"));
    assert_eq!(errata::find("E29"), None);
}

#[test]
fn errata_are_numbered_e01_to_e28_in_order() {
    let expected: Vec<String> = (1..=28).map(|n| format!("E{n:02}")).collect();
    assert_eq!(entry_ids(), expected);
}

#[test]
fn every_erratum_a_pattern_cites_has_an_entry() {
    let ids = entry_ids();
    for pattern in catalog::PATTERNS {
        for erratum in pattern.errata {
            assert!(
                ids.iter().any(|id| id == erratum),
                "{}: {erratum}",
                pattern.name
            );
        }
    }
}

/// Each entry gives its evidence as a command.
#[test]
fn every_entry_has_an_evidence_command() {
    for erratum in errata::all() {
        let id = erratum.id;
        let evidence = erratum.evidence().unwrap_or_default();
        assert!(
            evidence.starts_with("cargo ") || evidence.starts_with("bash ci/"),
            "{id} has no evidence command: {evidence:?}"
        );
        assert!(erratum.body.contains("**Fix.**"), "{id} has no fix");
    }
}

/// Each entry's evidence exists: a pattern in the catalog cites it, or a test file names it
/// (`E07`, or within a pair such as `e06_e07`).
#[test]
fn every_entry_is_cited_by_a_pattern_or_a_test() {
    let root = env!("CARGO_MANIFEST_DIR");
    let mut tests = String::new();
    for path in test_files(root) {
        tests += &std::fs::read_to_string(format!("{root}/{path}"))
            .unwrap()
            .to_ascii_uppercase();
    }
    for id in entry_ids() {
        let cited_by_pattern = catalog::PATTERNS
            .iter()
            .any(|p| p.errata.contains(&id.as_str()));
        assert!(
            cited_by_pattern || tests.contains(&id),
            "{id} is cited by no pattern and no test"
        );
    }
}

/// AUDIT.md, the claim-by-claim audit of the guide, stays true to the repository: each row has
/// a verdict of the fixed vocabulary, every "wrong" row cites an erratum, every erratum it cites
/// exists and every erratum is cited, every test it cites (`tests/FILE.rs::name`) exists, and its
/// verdict counts are the table's.
#[test]
fn the_audit_cites_what_exists_and_counts_its_rows() {
    let root = env!("CARGO_MANIFEST_DIR");
    let audit = std::fs::read_to_string(format!("{root}/AUDIT.md")).expect("AUDIT.md");
    let ids = entry_ids();
    let rows: Vec<Vec<&str>> = audit
        .lines()
        .filter(|l| l.starts_with("| ") && l.as_bytes().get(2).is_some_and(u8::is_ascii_digit))
        .map(|l| l.split(" | ").collect())
        .collect();
    assert!(rows.len() > 150, "{} rows", rows.len());
    let vocabulary = [
        "holds",
        "wrong",
        "imprecise",
        "current-thread only",
        "opinion",
    ];
    let mut counts = std::collections::BTreeMap::new();
    for row in &rows {
        let (verdict, evidence) = (row[2], row[3]);
        assert!(vocabulary.contains(&verdict), "{row:?}");
        *counts.entry(verdict).or_insert(0) += 1;
        let cited: Vec<&str> = evidence
            .match_indices('E')
            .filter_map(|(at, _)| evidence.get(at..at + 3))
            .filter(|id| id[1..].bytes().all(|b| b.is_ascii_digit()))
            .collect();
        if verdict == "wrong" {
            assert!(!cited.is_empty(), "a wrong claim with no erratum: {row:?}");
        }
        for id in cited {
            assert!(ids.iter().any(|e| e == id), "{id} is no erratum: {row:?}");
        }
    }
    for id in &ids {
        assert!(
            rows.iter().any(|r| r[3].contains(id.as_str())),
            "{id} is cited by no row"
        );
    }
    let count = |verdict| counts.get(verdict).copied().unwrap_or(0);
    let stated = format!(
        "Verdict counts ({} rows): holds {}, imprecise {}, wrong {}, opinion {}, current-thread\nonly {}.",
        rows.len(),
        count("holds"),
        count("imprecise"),
        count("wrong"),
        count("opinion"),
        count("current-thread only")
    );
    assert!(
        audit.contains(&stated),
        "the counts are not the table's: {stated}"
    );
    // Every test cited exists, in the file cited (`::name` alone: the file cited last).
    let mut file = String::new();
    let claims = audit
        .split_once("## Claims")
        .map_or("", |(_, claims)| claims);
    for citation in claims.split('`').skip(1).step_by(2) {
        if let Some((path, name)) = citation.split_once("::") {
            if path.starts_with("tests/") {
                file = std::fs::read_to_string(format!("{root}/{path}"))
                    .unwrap_or_else(|_| panic!("AUDIT.md cites {path}, which does not exist"));
            } else if !path.is_empty() {
                continue;
            }
            assert!(
                file.contains(&format!("fn {name}(")),
                "AUDIT.md cites the test {citation}, which does not exist"
            );
        }
    }
}

/// The README's map from guide sections to code and tests cannot go stale: every path it names
/// exists (`{a,b}` and `*` as in a shell), and every test file of `tests/` is in it, a test
/// binary's modules included.
#[test]
fn the_readme_map_names_what_exists_and_every_test_file() {
    let root = env!("CARGO_MANIFEST_DIR");
    let readme = std::fs::read_to_string(format!("{root}/README.md")).expect("README.md");
    let start = readme.find("\n## Map:").expect("the README's map section");
    let map = &readme[start + 1..];
    let map = &map[..map[3..].find("\n## ").map_or(map.len(), |end| end + 3)];
    let mut covered = std::collections::BTreeSet::new();
    for path in map.split('`').skip(1).step_by(2).filter(|s| {
        ["src/", "tests/", "crates/", "guide/"]
            .iter()
            .any(|dir| s.starts_with(dir))
    }) {
        for path in expand_braces(path) {
            let found = matching(root, &path);
            assert!(
                !found.is_empty(),
                "the README's map names {path}, which does not exist"
            );
            covered.extend(found);
        }
    }
    let tests = test_files(root);
    let missing: Vec<&String> = tests.iter().filter(|t| !covered.contains(*t)).collect();
    assert!(
        missing.is_empty(),
        "test files the README's map does not name: {missing:?}"
    );
}

/// Every command of ERRATA.md, AUDIT.md and the README that runs tests of `tests/` (`cargo test
/// --test NAME [FILTER]... [-- FILTER...]`) runs some: each binary it names exists, and each
/// filter names a test of one of them (`module::test`, or a part of that, as the harness
/// matches it).
#[test]
fn every_test_command_names_tests_that_exist() {
    let root = env!("CARGO_MANIFEST_DIR");
    let mut commands = 0;
    for doc in ["ERRATA.md", "AUDIT.md", "README.md"] {
        let text = std::fs::read_to_string(format!("{root}/{doc}")).expect(doc);
        for span in text.split('`').skip(1).step_by(2) {
            let Some(at) = span.find("cargo test") else {
                continue;
            };
            let command = &span[at..];
            if !command.contains("--test ") {
                continue;
            }
            let (binaries, filters) = test_command(command);
            let mut tests = Vec::new();
            for binary in &binaries {
                let names = tests_of(root, binary);
                assert!(
                    !names.is_empty(),
                    "{doc}: `{command}` names the test binary {binary}, which has no tests"
                );
                tests.extend(names);
            }
            for filter in filters {
                assert!(
                    tests.iter().any(|test| test.contains(filter)),
                    "{doc}: `{command}`: no test of {binaries:?} matches {filter}"
                );
            }
            commands += 1;
        }
    }
    assert!(commands > 30, "{commands} commands");
}

/// The test binaries `command` names (`--test NAME`) and its filters: the words that are no
/// option and no option's value, before `--` and after it.
fn test_command(command: &str) -> (Vec<&str>, Vec<&str>) {
    let (mut binaries, mut filters) = (Vec::new(), Vec::new());
    let mut words = command.split_whitespace().skip(2);
    let mut harness = false;
    while let Some(word) = words.next() {
        match word {
            "--" => harness = true,
            "--test" if !harness => binaries.extend(words.next()),
            "-p" | "--package" | "--profile" | "--features" if !harness => {
                words.next();
            }
            _ if word.starts_with('-') => {}
            // A shell redirection or pipe ends the command.
            _ if word.starts_with(['2', '|', '>']) => break,
            _ => filters.push(word.trim_matches('"')),
        }
    }
    (binaries, filters)
}

/// The tests of the test binary `name` as the harness names them: `test` in `tests/NAME.rs`,
/// `module::test` in a module `tests/NAME/module.rs`. This binary's are its harness's own list,
/// which has the tests a macro makes too; another's are read from its source.
fn tests_of(root: &str, name: &str) -> Vec<String> {
    if name == env!("CARGO_CRATE_NAME") {
        let list = std::process::Command::new(std::env::current_exe().expect("this binary"))
            .args(["--list", "--format", "terse"])
            .output()
            .expect("this binary lists its tests");
        return String::from_utf8(list.stdout)
            .expect("UTF-8")
            .lines()
            .filter_map(|line| line.strip_suffix(": test"))
            .map(String::from)
            .collect();
    }
    let single = format!("tests/{name}.rs");
    let files: Vec<(String, String)> = if matching(root, &single).is_empty() {
        matching(root, &format!("tests/{name}/*.rs"))
            .into_iter()
            .filter(|path| !path.ends_with("/main.rs"))
            .map(|path| {
                let module = path.rsplit_once('/').unwrap().1.trim_end_matches(".rs");
                (format!("{module}::"), path)
            })
            .collect()
    } else {
        vec![(String::new(), single)]
    };
    let mut tests = Vec::new();
    for (module, path) in files {
        let text = std::fs::read_to_string(format!("{root}/{path}")).unwrap();
        let mut attribute = false;
        for line in text.lines().map(str::trim_start) {
            if line.starts_with("#[test]") || line.starts_with("#[tokio::test") {
                attribute = true;
            } else if attribute && let Some((_, rest)) = line.split_once("fn ") {
                let end = rest.find(['(', '<']).unwrap_or(rest.len());
                tests.push(format!("{module}{}", &rest[..end]));
                attribute = false;
            }
        }
    }
    tests
}

/// The test files: each test binary of tests/, and each module of a binary that is a
/// directory (tests/NAME/main.rs).
fn test_files(root: &str) -> Vec<String> {
    let mut tests: Vec<String> = matching(root, "tests/*.rs");
    for binary in matching(root, "tests/*/main.rs") {
        let dir = binary.trim_end_matches("/main.rs");
        tests.extend(
            matching(root, &format!("{dir}/*.rs"))
                .into_iter()
                .filter(|path| !path.ends_with("/main.rs")),
        );
    }
    tests.sort();
    tests
}

/// `a/{b,c}.rs` as `a/b.rs` and `a/c.rs`.
fn expand_braces(path: &str) -> Vec<String> {
    match (path.find('{'), path.find('}')) {
        (Some(open), Some(close)) if open < close => path[open + 1..close]
            .split(',')
            .flat_map(|alt| expand_braces(&format!("{}{alt}{}", &path[..open], &path[close + 1..])))
            .collect(),
        _ => vec![path.to_string()],
    }
}

/// The repository's paths that `path` names: itself, or with one `*` (in its file name, or as
/// a whole directory name), every path that fits.
fn matching(root: &str, path: &str) -> Vec<String> {
    let Some((prefix, suffix)) = path.split_once('*') else {
        let exists = std::path::Path::new(&format!("{root}/{path}")).exists();
        return if exists {
            vec![path.to_string()]
        } else {
            vec![]
        };
    };
    let (dir, stem) = prefix.rsplit_once('/').expect("a path with a directory");
    // `*` as a directory: `tests/*/main.rs`.
    let (name_end, rest) = match suffix.split_once('/') {
        Some((end, rest)) => (end, Some(rest)),
        None => (suffix, None),
    };
    std::fs::read_dir(format!("{root}/{dir}"))
        .into_iter()
        .flatten()
        .map(|entry| entry.expect("a directory entry").file_name())
        .map(|name| name.to_string_lossy().into_owned())
        .filter(|name| name.starts_with(stem) && name.ends_with(name_end))
        .map(|name| match rest {
            Some(rest) => format!("{dir}/{name}/{rest}"),
            None => format!("{dir}/{name}"),
        })
        .filter(|path| std::path::Path::new(&format!("{root}/{path}")).exists())
        .collect()
}
