//! The attribute's arguments: `#[weft::main(worker_threads = N, flavor = "local",
//! start_paused = true)]`.
//!
//! - `worker_threads = N`: an integer literal of at least 1 (not with `flavor = "local"`,
//!   which runs on the calling thread alone).
//! - `flavor = "multi_thread"` (the default, a `Runtime`) or `flavor = "local"` (a
//!   `LocalRuntime`: tasks need not be `Send`).
//! - `start_paused = true | false`: start with the runtime's clock paused (virtual time).
//!
//! Everything else is a compile error spanned on the offending token: an unknown name (the
//! error names the accepted arguments), a missing or wrong-typed value, zero or a negative
//! worker count, an unknown flavor, and the same argument given twice.

use crate::Kind;
use proc_macro2::TokenStream;
use syn::parse::Parser;
use syn::punctuated::Punctuated;
use syn::spanned::Spanned;
use syn::{Expr, ExprLit, ExprUnary, Lit, LitInt, Meta, Token, UnOp};

/// Which runtime the attribute builds.
#[derive(Clone, Copy, Default, PartialEq, Eq)]
pub(crate) enum Flavor {
    /// `weft::Runtime` (work-stealing workers).
    #[default]
    MultiThread,
    /// `weft::LocalRuntime` (one thread; futures need not be `Send`).
    Local,
}

/// What the attribute's arguments asked for.
#[derive(Default)]
pub(crate) struct Args {
    /// `worker_threads = N`; `None` leaves the runtime builder's default (one worker per core).
    pub(crate) worker_threads: Option<usize>,
    pub(crate) flavor: Flavor,
    /// `start_paused = true`.
    pub(crate) start_paused: bool,
}

const ACCEPTED: &str = "`worker_threads = N`, `flavor = \"local\"` or `start_paused = true`";

impl Args {
    /// Parses the tokens between the attribute's parentheses (empty when there are none).
    pub(crate) fn parse(tokens: TokenStream, kind: Kind) -> syn::Result<Args> {
        let metas = Punctuated::<Meta, Token![,]>::parse_terminated.parse2(tokens)?;
        let mut args = Args::default();
        let mut seen: Vec<String> = Vec::new();
        let mut worker_span = None;
        for meta in metas {
            let name = meta.path();
            let shown = quote::ToTokens::to_token_stream(name)
                .to_string()
                .replace(' ', "");
            if !["worker_threads", "flavor", "start_paused"].contains(&shown.as_str()) {
                return Err(syn::Error::new_spanned(
                    name,
                    format!(
                        "unknown argument `{shown}` to `{}`: the accepted arguments are \
                         {ACCEPTED}",
                        kind.attribute()
                    ),
                ));
            }
            if seen.contains(&shown) {
                return Err(syn::Error::new_spanned(
                    name,
                    format!("`{shown}` is given twice; keep one"),
                ));
            }
            seen.push(shown.clone());
            let value = match &meta {
                Meta::NameValue(nv) => &nv.value,
                Meta::Path(_) | Meta::List(_) => {
                    let example = match shown.as_str() {
                        "worker_threads" => "`worker_threads = 4`",
                        "flavor" => "`flavor = \"local\"`",
                        _ => "`start_paused = true`",
                    };
                    return Err(syn::Error::new_spanned(
                        &meta,
                        format!("`{shown}` needs a value, e.g. {example}"),
                    ));
                }
            };
            match shown.as_str() {
                "worker_threads" => {
                    args.worker_threads = Some(worker_threads(value)?);
                    worker_span = Some(meta.clone());
                }
                "flavor" => args.flavor = flavor(value)?,
                _ => args.start_paused = boolean(value, "start_paused")?,
            }
        }
        if args.flavor == Flavor::Local
            && let Some(meta) = worker_span
        {
            return Err(syn::Error::new_spanned(
                meta,
                "`worker_threads` does not apply to `flavor = \"local\"`: a local runtime runs \
                 every task on the calling thread; remove `worker_threads`",
            ));
        }
        Ok(args)
    }
}

/// The value of `flavor = <value>`.
fn flavor(value: &Expr) -> syn::Result<Flavor> {
    match value {
        Expr::Lit(ExprLit {
            lit: Lit::Str(s), ..
        }) => match s.value().as_str() {
            "local" => Ok(Flavor::Local),
            "multi_thread" => Ok(Flavor::MultiThread),
            other => Err(syn::Error::new_spanned(
                s,
                format!(
                    "unknown flavor `{other}`: use `flavor = \"local\"` (a LocalRuntime) or \
                     `flavor = \"multi_thread\"` (a Runtime, the default)"
                ),
            )),
        },
        _ => Err(syn::Error::new(
            value.span(),
            "`flavor` takes a string literal: `flavor = \"local\"` or \
             `flavor = \"multi_thread\"`",
        )),
    }
}

/// The value of a `name = true | false` argument.
fn boolean(value: &Expr, name: &str) -> syn::Result<bool> {
    match value {
        Expr::Lit(ExprLit {
            lit: Lit::Bool(b), ..
        }) => Ok(b.value),
        _ => Err(syn::Error::new(
            value.span(),
            format!("`{name}` takes `true` or `false`"),
        )),
    }
}

/// The value of `worker_threads = <value>`: an integer literal of at least 1.
fn worker_threads(value: &Expr) -> syn::Result<usize> {
    let at_least_one = || {
        syn::Error::new_spanned(
            value,
            "`worker_threads` must be at least 1: it is the number of worker threads",
        )
    };
    match value {
        Expr::Lit(ExprLit {
            lit: Lit::Int(n), ..
        }) => positive(n).ok_or_else(at_least_one)?,
        // `-1` arrives either as a negative literal (handled by `positive`) or as a negation.
        Expr::Unary(ExprUnary {
            op: UnOp::Neg(_),
            expr,
            ..
        }) if matches!(
            &**expr,
            Expr::Lit(ExprLit {
                lit: Lit::Int(_),
                ..
            })
        ) =>
        {
            Err(at_least_one())
        }
        _ => Err(syn::Error::new(
            value.span(),
            "`worker_threads` takes an integer literal, e.g. `worker_threads = 4`",
        )),
    }
}

/// `Some(Ok(n))` for a literal `n >= 1`, `Some(Err(..))` for one too large for `usize`, `None`
/// for zero or a negative literal.
fn positive(n: &LitInt) -> Option<syn::Result<usize>> {
    if n.base10_digits().starts_with('-') {
        return None;
    }
    match n.base10_parse::<usize>() {
        Ok(0) => None,
        Ok(n) => Some(Ok(n)),
        Err(_) => Some(Err(syn::Error::new_spanned(
            n,
            format!("`worker_threads` is too large (at most {})", usize::MAX),
        ))),
    }
}
