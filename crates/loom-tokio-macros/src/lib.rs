//! The `#[test]` attribute of `loom-tokio`, which it re-exports: what `#[tokio::test]` is to a
//! test on tokio, for a test under loom. Written over `proc_macro` alone, without `syn`: it
//! only rewrites the signature of an `async fn` and wraps its body.

use proc_macro::{Delimiter, Group, Ident, Punct, Spacing, Span, TokenStream, TokenTree};

/// Marks an `async fn` as a test that runs in every interleaving loom explores, each a run of
/// `loom_tokio::task::run` with its paused clock: the same test as `#[tokio::test]`, which runs
/// it once.
///
/// `#[test] async fn name() -> R { body }` becomes a plain `#[test] fn name()` that calls
/// `CRATE::model` with the body, where `R` is `()` or a `Result<(), E>`. `CRATE` is `::tokio`,
/// the name a project gives `tokio-or-loom` (or `loom-tokio`) in its manifest; another is named
/// by `crate = "path"`. tokio's other arguments (`flavor`, `worker_threads`, `start_paused`)
/// are accepted and change nothing: every task is a loom thread whatever the flavor, and the
/// clock is always paused.
#[proc_macro_attribute]
pub fn test(args: TokenStream, item: TokenStream) -> TokenStream {
    match expand(args, item) {
        Ok(tokens) => tokens,
        Err((span, message)) => error(span, &message),
    }
}

type Failure = (Span, String);

fn expand(args: TokenStream, item: TokenStream) -> Result<TokenStream, Failure> {
    let krate = crate_path(args)?;
    let mut tokens: Vec<TokenTree> = item.into_iter().collect();
    let at = tokens
        .windows(2)
        .position(|w| is_ident(&w[0], "async") && is_ident(&w[1], "fn"))
        .ok_or_else(|| {
            let at = tokens.iter().find(|t| is_ident(t, "fn"));
            (
                at.map_or_else(Span::call_site, TokenTree::span),
                "the test attribute goes on an `async fn`".to_string(),
            )
        })?;
    tokens.remove(at);
    let Some(TokenTree::Group(body)) = tokens.pop() else {
        return Err((Span::call_site(), "the test has no body".to_string()));
    };
    if body.delimiter() != Delimiter::Brace {
        return Err((body.span(), "the test has no body".to_string()));
    }
    // After `fn`: the name, the parameters, then `-> R` if any, up to the body.
    let params = match tokens.get(at + 2) {
        Some(TokenTree::Group(g)) if g.delimiter() == Delimiter::Parenthesis => g.clone(),
        _ => {
            return Err((
                Span::call_site(),
                "the test's generics are not supported".to_string(),
            ));
        }
    };
    if !params.stream().is_empty() {
        return Err((params.span(), "a test takes no arguments".to_string()));
    }
    let output: TokenStream = match tokens.get(at + 3) {
        None => "()"
            .parse()
            .map_err(|_| (Span::call_site(), "()".to_string()))?,
        Some(TokenTree::Punct(p)) if p.as_char() == '-' => tokens.drain(at + 3..).skip(2).collect(),
        Some(other) => {
            return Err((
                other.span(),
                "expected `-> R` or the test's body".to_string(),
            ));
        }
    };
    let wrapper = format!(
        "{{ {krate}::model(|| {{
            let body = async move BODY;
            let body: ::std::pin::Pin<::std::boxed::Box<dyn ::std::future::Future<Output = OUTPUT>>> =
                ::std::boxed::Box::pin(body);
            body
        }}) }}"
    );
    let wrapper = substitute(
        wrapper.parse().map_err(|_| {
            (
                Span::call_site(),
                format!("`crate = {krate:?}` is not a path"),
            )
        })?,
        &[("BODY", TokenTree::Group(body).into()), ("OUTPUT", output)],
    );
    let mut expanded: TokenStream = "#[::core::prelude::v1::test]"
        .parse()
        .map_err(|_| (Span::call_site(), "#[test]".to_string()))?;
    expanded.extend(tokens);
    expanded.extend([TokenTree::Group(Group::new(Delimiter::Brace, wrapper))]);
    Ok(expanded)
}

/// The path of the crate that provides `model`: `::tokio`, or the argument `crate = "path"`.
/// tokio's arguments are accepted and ignored; any other is an error.
fn crate_path(args: TokenStream) -> Result<String, Failure> {
    let mut krate = "::tokio".to_string();
    let tokens: Vec<TokenTree> = args.into_iter().collect();
    for arg in tokens.split(|t| matches!(t, TokenTree::Punct(p) if p.as_char() == ',')) {
        match arg {
            [] => {}
            [TokenTree::Ident(name), TokenTree::Punct(eq), value] if eq.as_char() == '=' => {
                match name.to_string().as_str() {
                    "crate" => {
                        krate = value.to_string().trim_matches('"').to_string();
                    }
                    "flavor" | "worker_threads" | "start_paused" | "unhandled_panic" => {}
                    other => return Err((name.span(), format!("unknown argument `{other}`"))),
                }
            }
            [first, ..] => {
                return Err((
                    first.span(),
                    "expected arguments of the form `name = value`".to_string(),
                ));
            }
        }
    }
    Ok(krate)
}

/// `tokens` with each identifier named in `holes` replaced by its tokens, at any depth.
fn substitute(tokens: TokenStream, holes: &[(&str, TokenStream)]) -> TokenStream {
    tokens
        .into_iter()
        .flat_map(|t| -> TokenStream {
            match t {
                TokenTree::Ident(ref i) => match holes.iter().find(|(h, _)| i.to_string() == *h) {
                    Some((_, filling)) => filling.clone(),
                    None => t.into(),
                },
                TokenTree::Group(g) => {
                    let mut inner = Group::new(g.delimiter(), substitute(g.stream(), holes));
                    inner.set_span(g.span());
                    TokenTree::Group(inner).into()
                }
                other => other.into(),
            }
        })
        .collect()
}

fn is_ident(token: &TokenTree, name: &str) -> bool {
    matches!(token, TokenTree::Ident(i) if i.to_string() == name)
}

/// `compile_error! { "message" }` at `span`.
fn error(span: Span, message: &str) -> TokenStream {
    let mut literal = proc_macro::Literal::string(message);
    literal.set_span(span);
    let mut bang = Punct::new('!', Spacing::Alone);
    bang.set_span(span);
    let mut group = Group::new(Delimiter::Brace, TokenTree::Literal(literal).into());
    group.set_span(span);
    [
        TokenTree::Ident(Ident::new("compile_error", span)),
        TokenTree::Punct(bang),
        TokenTree::Group(group),
    ]
    .into_iter()
    .collect()
}
