//! The crate's sources, read at build time, and the marked regions in them.
//!
//! A region is the lines between `// guide: begin NAME` and `// guide: end NAME` (markers at
//! the start of a line, names unique within a file). The markers are comments: the code
//! between them is the crate's code as it is compiled, tested and run.

use std::io;

/// One source file of the crate that guide blocks draw on.
#[derive(Debug)]
pub struct Source {
    /// Its path under `src/`, as the block table names it.
    pub file: &'static str,
    /// Its module path in the crate, for imports of its items that a block uses but does not
    /// show.
    pub module: &'static str,
    /// Its text, as compiled.
    pub text: &'static str,
}

/// Every source file the block table may name.
pub const SOURCES: &[Source] = &[
    source("mpsc.rs", "mpsc", include_str!("../mpsc.rs")),
    source("oneshot.rs", "oneshot", include_str!("../oneshot.rs")),
    source("broadcast.rs", "broadcast", include_str!("../broadcast.rs")),
    source("watch.rs", "watch", include_str!("../watch.rs")),
    source(
        "advanced/select_shutdown.rs",
        "advanced::select_shutdown",
        include_str!("../advanced/select_shutdown.rs"),
    ),
    source(
        "advanced/app_shutdown.rs",
        "advanced::app_shutdown",
        include_str!("../advanced/app_shutdown.rs"),
    ),
    source(
        "advanced/state_machine.rs",
        "advanced::state_machine",
        include_str!("../advanced/state_machine.rs"),
    ),
    source(
        "proxy/relay.rs",
        "proxy::relay",
        include_str!("../proxy/relay.rs"),
    ),
];

const fn source(file: &'static str, module: &'static str, text: &'static str) -> Source {
    Source { file, module, text }
}

/// The source file `file` (a path under `src/`).
///
/// # Errors
/// `NotFound` when it is not in [`SOURCES`].
pub fn source_of(file: &str) -> io::Result<&'static Source> {
    SOURCES.iter().find(|s| s.file == file).ok_or_else(|| {
        io::Error::new(
            io::ErrorKind::NotFound,
            format!("src/{file} is not in SOURCES"),
        )
    })
}

impl Source {
    /// The lines of region `name`, markers excluded, each ending in `\n`.
    ///
    /// # Errors
    /// `InvalidData` when the region has no begin or no end marker.
    pub fn region(&self, name: &str) -> io::Result<String> {
        let begin = format!("// guide: begin {name}\n");
        let end = format!("\n// guide: end {name}\n");
        let missing = |what: &str| {
            io::Error::new(
                io::ErrorKind::InvalidData,
                format!("src/{}: no `// guide: {what} {name}` marker", self.file),
            )
        };
        let start = self.text.find(&begin).ok_or_else(|| missing("begin"))? + begin.len();
        let len = self.text[start..]
            .find(&end)
            .ok_or_else(|| missing("end"))?;
        Ok(format!("{}\n", &self.text[start..start + len]))
    }

    /// The file's `use` declarations (one per line, at the start of a line).
    pub fn imports(&self) -> impl Iterator<Item = &'static str> {
        self.text.lines().filter(|l| l.starts_with("use "))
    }

    /// The names of the file's public top-level items (`fn`, `struct`, `enum`, `trait`,
    /// `type`, `const`): what a program can import from the crate.
    pub fn public_items(&self) -> Vec<&'static str> {
        self.text
            .lines()
            .filter(|l| l.starts_with("pub "))
            .filter_map(item_name)
            .collect()
    }
}

/// The name a top-level item line declares: `pub async fn basic(` is `basic`.
pub fn item_name(line: &str) -> Option<&str> {
    let rest = line.strip_prefix("pub ").unwrap_or(line);
    let rest = rest.strip_prefix("async ").unwrap_or(rest);
    let rest = ["fn ", "struct ", "enum ", "trait ", "type ", "const "]
        .iter()
        .find_map(|kw| rest.strip_prefix(kw))?;
    let end = rest
        .find(|c: char| !(c.is_alphanumeric() || c == '_'))
        .unwrap_or(rest.len());
    (end > 0).then(|| &rest[..end])
}
