//! The fixed rewrite from the crate's library shape to the guide's program shape.
//!
//! The patterns are library code: they write to a [`Transcript`](crate::Transcript) instead of
//! stdout, take their runtime items from [`crate::rt`] (tokio's, or loom's under the loom
//! cfg), and return a [`PatternResult`](crate::PatternResult). A guide block shows the same code
//! as a program, by these rules and no others, applied in this order:
//!
//! 1. The entry function (`pub async fn NAME(out: Transcript) -> PatternResult {`) becomes
//!    `#[tokio::main(flavor = "current_thread")] async fn main`. Current-thread: the runtime
//!    the crate runs every pattern on, on which the printed order is the only one (E13).
//! 2. `let x = out.clone();` and `let x = self.out.clone();` lines go.
//! 3. `R.line(ARGS)`, where the receiver `R` ends in `out`, becomes `println!(..)`: of
//!    `format!`'s arguments, of a string literal, or `"{}", ARGS` otherwise.
//! 4. The transcript as an item of a list goes, with its comma: the parameters `out:
//!    Transcript` and `out: &Transcript`, the arguments `out`, `&out` and `out.clone()`, the
//!    field `out: Transcript` and the initialisers `out` and `out: out.clone()`; a line left
//!    empty goes too, and `{ }` left empty is `{}`.
//! 5. `PatternResult` is `Result<(), Box<dyn std::error::Error>>` and `PatternError` is
//!    `Box<dyn std::error::Error>`.
//! 6. `rt::` is `tokio::` (what `crate::rt` is in a normal build), and `crate::` is
//!    `channel_patterns::`.
//! 7. `pub` goes from the start of every line: a program exports nothing.
//! 8. A path `channel_patterns::…::NAME` to an item the block itself shows is just `NAME`.
//!
//! The imports ([`imports`]) are those of the regions' files that the block uses, rewritten by
//! rule 6, and the crate's own items the block uses without showing them.

use std::collections::BTreeSet;

use super::regions::{Source, item_name};

/// The return type of a program's fallible functions (rule 5).
const BOXED: &str = "Box<dyn std::error::Error>";

/// Rules 1 to 8, on the concatenated regions of a block; `main` names the entry function.
pub fn to_guide_style(code: &str, main: Option<&str>) -> String {
    let mut code = code.to_string();
    if let Some(main) = main {
        code = code.replacen(
            &format!("pub async fn {main}("),
            "#[tokio::main(flavor = \"current_thread\")]\nasync fn main(",
            1,
        );
    }
    code = code
        .lines()
        .filter(|l| !is_transcript_clone(l.trim()))
        .map(|l| format!("{l}\n"))
        .collect();
    code = println_for_line(&code);
    code = remove_transcript_items(&code);
    code = code
        .replace("PatternResult", &format!("Result<(), {BOXED}>"))
        .replace("PatternError", BOXED);
    code = replace_word_prefix(&code, "rt::", "tokio::");
    code = replace_word_prefix(&code, "crate::", "channel_patterns::");
    code = code
        .lines()
        .map(|l| {
            let indent = l.len() - l.trim_start().len();
            match l.trim_start().strip_prefix("pub ") {
                Some(rest) => format!("{}{rest}\n", &l[..indent]),
                None => format!("{l}\n"),
            }
        })
        .collect();
    shorten_local_paths(&code)
}

/// The `use` lines a block needs: those of `sources` whose names the block uses (rule 6
/// applied, names the block defines left out), then `channel_patterns::MODULE::NAME` for items
/// of those files that the block uses without showing them. Standard library first.
///
/// `main` is the entry function's name in the source: a local variable or method of that name
/// (`let events`, `rx.changed()`) is not the crate's function.
pub fn imports(sources: &[&Source], code: &str, main: &str) -> Vec<String> {
    let mut defined = defined_names(code);
    defined.insert(main);
    let code = without_comments(code);
    let used = |name: &str| !defined.contains(name) && contains_word(&code, name);
    let mut std_lines = BTreeSet::new();
    let mut other_lines = BTreeSet::new();
    for source in sources {
        for line in source.imports() {
            let line = line
                .replace("use crate::rt::", "use tokio::")
                .replace("use crate::", "use channel_patterns::");
            if let Some(kept) = filter_use(&line, used) {
                if kept.starts_with("use std::") {
                    std_lines.insert(kept);
                } else {
                    other_lines.insert(kept);
                }
            }
        }
        let shown_elsewhere: Vec<&str> = source
            .public_items()
            .into_iter()
            .filter(|name| used(name))
            .collect();
        match shown_elsewhere.as_slice() {
            [] => {}
            [one] => {
                other_lines.insert(format!("use channel_patterns::{}::{one};", source.module));
            }
            many => {
                other_lines.insert(format!(
                    "use channel_patterns::{}::{{{}}};",
                    source.module,
                    many.join(", ")
                ));
            }
        }
    }
    let mut lines = sorted(std_lines);
    if !lines.is_empty() && !other_lines.is_empty() {
        lines.push(String::new());
    }
    lines.extend(sorted(other_lines));
    lines
}

/// In rustfmt's order: `use a::b;` before `use a::b::c;`.
fn sorted(lines: BTreeSet<String>) -> Vec<String> {
    let mut lines: Vec<String> = lines.into_iter().collect();
    lines.sort_by(|a, b| a.trim_end_matches(';').cmp(b.trim_end_matches(';')));
    lines
}

/// `use a::b::{c, d::E, self};` with only the names `used` keeps; `None` if none is.
/// A single-segment import (`use tokio;`) is never needed.
fn filter_use(line: &str, used: impl Fn(&str) -> bool) -> Option<String> {
    let path = line.strip_prefix("use ")?.strip_suffix(';')?;
    let (prefix, group) = match path.split_once("::{") {
        Some((prefix, group)) => (prefix, group.strip_suffix('}')?),
        None => {
            let (prefix, last) = path.rsplit_once("::")?;
            (prefix, last)
        }
    };
    let bound = |item: &str| {
        if item == "self" {
            prefix.rsplit("::").next().unwrap_or(prefix).to_string()
        } else {
            item.rsplit("::").next().unwrap_or(item).to_string()
        }
    };
    let kept: Vec<&str> = group
        .split(',')
        .map(str::trim)
        .filter(|item| !item.is_empty() && used(&bound(item)))
        .collect();
    match kept.as_slice() {
        [] => None,
        ["self"] => Some(format!("use {prefix};")),
        [one] => Some(format!("use {prefix}::{one};")),
        many => Some(format!("use {prefix}::{{{}}};", many.join(", "))),
    }
}

/// The names of the top-level items a block defines.
fn defined_names(code: &str) -> BTreeSet<&str> {
    code.lines().filter_map(item_name).collect()
}

/// Rule 2: `let producer_out = out.clone();`.
fn is_transcript_clone(line: &str) -> bool {
    line.strip_prefix("let ")
        .and_then(|l| l.split_once(" = "))
        .is_some_and(|(_, value)| value == "out.clone();" || value == "self.out.clone();")
}

/// Rule 3.
fn println_for_line(code: &str) -> String {
    let mut out = String::new();
    let mut rest = code;
    while let Some(at) = rest.find(".line(") {
        let before = &rest[..at];
        let receiver_end = before.trim_end().len();
        let receiver_start = before[..receiver_end]
            .rfind(|c: char| !(c.is_alphanumeric() || c == '_' || c == '.'))
            .map_or(0, |i| i + 1);
        let receiver = &before[receiver_start..receiver_end];
        let open = at + ".line(".len();
        let Some(close) = matching_paren(rest, open) else {
            break;
        };
        if !receiver.ends_with("out") {
            out.push_str(&rest[..open]);
            rest = &rest[open..];
            continue;
        }
        let args = &rest[open..close];
        let printed = match args.strip_prefix("format!(") {
            Some(inner) if matching_paren(args, "format!(".len()) == Some(args.len() - 1) => {
                inner[..inner.len() - 1].to_string()
            }
            _ if args.starts_with('"') => args.to_string(),
            _ => format!("\"{{}}\", {args}"),
        };
        out.push_str(&rest[..receiver_start]);
        out.push_str(&format!("println!({printed})"));
        rest = &rest[close + 1..];
    }
    out.push_str(rest);
    out
}

/// The index of the `)` closing the `(` just before `open`, skipping string literals.
fn matching_paren(text: &str, open: usize) -> Option<usize> {
    let mut depth = 1;
    let mut in_string = false;
    let mut escaped = false;
    for (i, c) in text[open..].char_indices() {
        if in_string {
            match (escaped, c) {
                (true, _) => escaped = false,
                (false, '\\') => escaped = true,
                (false, '"') => in_string = false,
                _ => {}
            }
            continue;
        }
        match c {
            '"' => in_string = true,
            '(' => depth += 1,
            ')' => {
                depth -= 1;
                if depth == 0 {
                    return Some(open + i);
                }
            }
            _ => {}
        }
    }
    None
}

/// Rule 4's items, longest first.
const TRANSCRIPT_ITEMS: &[&str] = &[
    "out: &Transcript",
    "out: Transcript",
    "out: out.clone()",
    "out.clone()",
    "&out",
    "out",
];

/// Rule 4.
fn remove_transcript_items(code: &str) -> String {
    let mut code = code.to_string();
    'again: loop {
        for item in TRANSCRIPT_ITEMS {
            let mut from = 0;
            while let Some(found) = code[from..].find(item) {
                let start = from + found;
                let end = start + item.len();
                from = end;
                let before = code[..start].trim_end();
                let after = code[end..].trim_start();
                // A whole item of a list: after `(`, `{` or `,` (so not the end of a longer
                // word either), before `)`, `}` or `,`.
                let opens = before.ends_with(['(', '{', ',']);
                let closes = after.starts_with([')', '}', ',']);
                if !(opens && closes) {
                    continue;
                }
                let (cut_start, cut_end) = if after.starts_with(',') {
                    let comma = code.len() - after.len();
                    let spaces =
                        code[comma + 1..].len() - code[comma + 1..].trim_start_matches(' ').len();
                    (start, comma + 1 + spaces)
                } else if before.ends_with(',') {
                    (before.len() - 1, end)
                } else {
                    (start, end)
                };
                code.replace_range(cut_start..cut_end, "");
                continue 'again;
            }
        }
        break;
    }
    let code: String = code
        .lines()
        .filter(|l| !l.trim().is_empty() || l.is_empty())
        .map(|l| format!("{l}\n"))
        .collect();
    code.replace("{  }", "{}")
        .replace("{ }", "{}")
        .replace(" {\n}", " {}")
}

/// Replaces `from` with `to` where `from` does not continue a word or path (`start::` is not
/// `rt::`).
fn replace_word_prefix(code: &str, from: &str, to: &str) -> String {
    let mut out = String::new();
    let mut done = 0;
    while let Some(found) = code[done..].find(from) {
        let at = done + found;
        // The character before, in the whole code: the end of the last match counts too.
        let starts_word =
            !code[..at].ends_with(|c: char| c.is_alphanumeric() || c == '_' || c == ':');
        out.push_str(&code[done..at]);
        out.push_str(if starts_word { to } else { from });
        done = at + from.len();
    }
    out.push_str(&code[done..]);
    out
}

/// Rule 8.
fn shorten_local_paths(code: &str) -> String {
    let defined: BTreeSet<String> = defined_names(code).into_iter().map(String::from).collect();
    let prefix = "channel_patterns::";
    let mut out = String::new();
    let mut rest = code;
    while let Some(at) = rest.find(prefix) {
        let path_len = rest[at..]
            .find(|c: char| !(c.is_alphanumeric() || c == '_' || c == ':'))
            .unwrap_or(rest.len() - at);
        let path = &rest[at..at + path_len];
        let last = path.rsplit("::").next().unwrap_or(path);
        out.push_str(&rest[..at]);
        out.push_str(if defined.contains(last) { last } else { path });
        rest = &rest[at + path_len..];
    }
    out.push_str(rest);
    out
}

/// `code` with every `//` comment (doc comments too) cut from its line: names in comments are
/// not uses.
fn without_comments(code: &str) -> String {
    code.lines()
        .map(|l| l.find("//").map_or(l, |at| &l[..at]))
        .collect::<Vec<_>>()
        .join("\n")
}

/// Whether `name` occurs in `code` as a whole word.
fn contains_word(code: &str, name: &str) -> bool {
    code.match_indices(name).any(|(at, _)| {
        let is_word = |c: char| c.is_alphanumeric() || c == '_';
        !code[..at].ends_with(is_word) && !code[at + name.len()..].starts_with(is_word)
    })
}
