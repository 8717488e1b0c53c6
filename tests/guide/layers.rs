//! The workspace's layers cannot drift from the README's drawing of them: the drawing names
//! exactly the dependencies between the workspace's crates that `cargo metadata` reads from the
//! manifests, and within each crate no top-level module reaches, through its imports, back to
//! itself.

use std::collections::{BTreeMap, BTreeSet};

/// A crate's dependency on another of the workspace's, as (dependent, dependency).
type Edge = (String, String);

/// Every dependency between the workspace's crates, of any kind (normal, dev, under a cfg),
/// from the manifests.
fn manifest_edges(root: &str) -> BTreeSet<Edge> {
    let out = std::process::Command::new(env!("CARGO"))
        .args([
            "metadata",
            "--format-version",
            "1",
            "--no-deps",
            "--offline",
        ])
        .current_dir(root)
        .output()
        .expect("cargo metadata runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let metadata: serde_json::Value = serde_json::from_slice(&out.stdout).expect("its JSON");
    let packages = metadata["packages"].as_array().expect("packages");
    let members: BTreeSet<&str> = packages
        .iter()
        .map(|p| p["name"].as_str().expect("a name"))
        .collect();
    packages
        .iter()
        .flat_map(|p| {
            let name = p["name"].as_str().expect("a name");
            p["dependencies"]
                .as_array()
                .expect("dependencies")
                .iter()
                .map(|d| d["name"].as_str().expect("a name"))
                .filter(|d| members.contains(d))
                .map(move |d| (name.to_string(), d.to_string()))
        })
        .collect()
}

/// The dependencies the README's drawing shows: each crate in its tree depends on the crates
/// drawn one level under it.
fn drawn_edges(readme: &str) -> BTreeSet<Edge> {
    let section = &readme[readme
        .find("\n## The workspace")
        .expect("the README's workspace")..];
    let tree = section
        .split("```text\n")
        .nth(1)
        .and_then(|rest| rest.split("```").next())
        .expect("the drawing, in a text block");
    let mut path: Vec<String> = Vec::new();
    let mut edges = BTreeSet::new();
    for line in tree.lines() {
        let start = line
            .find(|c: char| c.is_ascii_alphanumeric())
            .expect("a crate on each line");
        let name = line[start..].split_whitespace().next().expect("a name");
        let depth = line[..start].chars().count() / 4;
        path.truncate(depth);
        if let Some(parent) = path.last() {
            edges.insert((parent.clone(), name.to_string()));
        }
        path.push(name.to_string());
    }
    edges
}

#[test]
fn the_readme_draws_the_dependencies_the_manifests_declare() {
    let root = env!("CARGO_MANIFEST_DIR");
    let readme = std::fs::read_to_string(format!("{root}/README.md")).expect("README.md");
    assert_eq!(drawn_edges(&readme), manifest_edges(root));
}

/// The top-level modules that each top-level module of the crate at `src` imports: the
/// `crate::NAME` (or, from the module's own file, `super::NAME`; from a file one level down,
/// `super::super::NAME`) in its code, comments left out.
fn module_imports(src: &std::path::Path) -> BTreeMap<String, BTreeSet<String>> {
    let mut modules: BTreeMap<String, Vec<(std::path::PathBuf, usize)>> = BTreeMap::new();
    for entry in std::fs::read_dir(src).expect("the crate's src") {
        let path = entry.expect("an entry").path();
        let stem = path
            .file_stem()
            .expect("a name")
            .to_string_lossy()
            .to_string();
        if path.is_dir() {
            for file in rust_files(&path) {
                let depth = file
                    .strip_prefix(&path)
                    .expect("under it")
                    .components()
                    .count()
                    - usize::from(file.ends_with("mod.rs"));
                modules.entry(stem.clone()).or_default().push((file, depth));
            }
        } else if !["lib", "main"].contains(&stem.as_str())
            && path.extension().is_some_and(|e| e == "rs")
        {
            modules.entry(stem).or_default().push((path, 0));
        }
    }
    let names: BTreeSet<String> = modules.keys().cloned().collect();
    modules
        .iter()
        .map(|(module, files)| {
            let mut imports = BTreeSet::new();
            for (file, depth) in files {
                let text = std::fs::read_to_string(file).expect("a source file");
                let code: String = text
                    .lines()
                    .filter(|l| !l.trim_start().starts_with("//"))
                    .collect::<Vec<_>>()
                    .join("\n");
                let up = match depth {
                    0 => "super::".to_string(),
                    1 => "super::super::".to_string(),
                    _ => "super::super::super::".to_string(),
                };
                for prefix in ["crate::", up.as_str()] {
                    for (at, _) in code.match_indices(prefix) {
                        let before = code[..at].chars().next_back();
                        if before.is_some_and(|c| c.is_alphanumeric() || c == '_' || c == ':') {
                            continue;
                        }
                        let rest = &code[at + prefix.len()..];
                        let items: Vec<&str> = match rest.strip_prefix('{') {
                            Some(group) => {
                                group.split('}').next().unwrap_or("").split(',').collect()
                            }
                            None => vec![rest],
                        };
                        for item in items {
                            let name: String = item
                                .trim_start()
                                .chars()
                                .take_while(|c| c.is_alphanumeric() || *c == '_')
                                .collect();
                            if names.contains(&name) && name != *module {
                                imports.insert(name);
                            }
                        }
                    }
                }
            }
            (module.clone(), imports)
        })
        .collect()
}

/// Every `.rs` file under `dir`.
fn rust_files(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut files = Vec::new();
    for entry in std::fs::read_dir(dir).expect("a source directory") {
        let path = entry.expect("an entry").path();
        if path.is_dir() {
            files.extend(rust_files(&path));
        } else if path.extension().is_some_and(|e| e == "rs") {
            files.push(path);
        }
    }
    files
}

/// A chain of imports from `module` back to itself, if there is one.
fn cycle_through(
    module: &str,
    imports: &BTreeMap<String, BTreeSet<String>>,
) -> Option<Vec<String>> {
    let mut stack = vec![vec![module.to_string()]];
    let mut seen = BTreeSet::new();
    while let Some(chain) = stack.pop() {
        let last = chain.last().expect("never empty");
        for next in imports.get(last).into_iter().flatten() {
            if next == module {
                let mut cycle = chain.clone();
                cycle.push(next.clone());
                return Some(cycle);
            }
            if seen.insert(next.clone()) {
                let mut longer = chain.clone();
                longer.push(next.clone());
                stack.push(longer);
            }
        }
    }
    None
}

#[test]
fn no_module_imports_one_that_imports_it() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut sources = vec![root.join("src")];
    for entry in std::fs::read_dir(root.join("crates")).expect("crates/") {
        sources.push(entry.expect("a crate").path().join("src"));
    }
    let mut cycles = Vec::new();
    for src in &sources {
        let files = rust_files(src).len();
        if files == 1 {
            // A crate of one file (its lib.rs): no module of it can import another.
            continue;
        }
        let imports = module_imports(src);
        assert!(imports.len() > 1, "{} has modules", src.display());
        for module in imports.keys() {
            if let Some(cycle) = cycle_through(module, &imports) {
                cycles.push(format!("{}: {}", src.display(), cycle.join(" -> ")));
            }
        }
    }
    assert!(
        cycles.is_empty(),
        "imports that come back round:\n{}",
        cycles.join("\n")
    );
}

/// The check above on a crate made for it: `b` imports `a` through `super::` from a file one
/// level down, `a` imports `b` in a `use` group (and names `c` only in a comment), and `c`
/// imports `a`. The way back round is found, and only through the two.
#[test]
fn an_import_that_comes_back_round_is_found() {
    let dir = std::env::temp_dir().join(format!("layers-{}", std::process::id()));
    let src = dir.join("src");
    std::fs::create_dir_all(src.join("b")).expect("a scratch crate");
    let files = [
        ("lib.rs", "mod a;\nmod b;\nmod c;\n"),
        (
            "a.rs",
            "use crate::{std as _, b::inner};\n// crate::c in a comment\n",
        ),
        ("b/mod.rs", "mod inner;\n"),
        ("b/inner.rs", "use super::super::a;\n"),
        ("c.rs", "use crate::a;\n"),
    ];
    for (path, text) in files {
        std::fs::write(src.join(path), text).expect("a scratch file");
    }
    let imports = module_imports(&src);
    std::fs::remove_dir_all(&dir).expect("the scratch crate removed");
    let cycles: Vec<_> = ["a", "b", "c"]
        .iter()
        .map(|m| cycle_through(m, &imports).map(|c| c.join(" -> ")))
        .collect();
    assert_eq!(
        cycles,
        [
            Some("a -> b -> a".to_string()),
            Some("b -> a -> b".to_string()),
            None
        ],
        "imports: {imports:?}"
    );
}
