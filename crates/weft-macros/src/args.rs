//! The attribute's arguments: `#[weft::main(worker_threads = N)]`.
//!
//! The only argument is `worker_threads`, an integer literal of at least 1. Everything else is
//! a compile error spanned on the offending token: an unknown name (the error names the
//! accepted argument), a missing or non-literal value, zero or a negative number, and the
//! same argument given twice.

use crate::Kind;
use proc_macro2::TokenStream;
use syn::parse::Parser;
use syn::punctuated::Punctuated;
use syn::spanned::Spanned;
use syn::{Expr, ExprLit, ExprUnary, Lit, LitInt, Meta, Token, UnOp};

/// What the attribute's arguments asked for.
#[derive(Default)]
pub(crate) struct Args {
    /// `worker_threads = N`; `None` leaves the runtime builder's default (one worker per core).
    pub(crate) worker_threads: Option<usize>,
}

impl Args {
    /// Parses the tokens between the attribute's parentheses (empty when there are none).
    pub(crate) fn parse(tokens: TokenStream, kind: Kind) -> syn::Result<Args> {
        let metas = Punctuated::<Meta, Token![,]>::parse_terminated.parse2(tokens)?;
        let mut args = Args::default();
        for meta in metas {
            let name = meta.path();
            if !name.is_ident("worker_threads") {
                let shown = quote::ToTokens::to_token_stream(name)
                    .to_string()
                    .replace(' ', "");
                return Err(syn::Error::new_spanned(
                    name,
                    format!(
                        "unknown argument `{shown}` to `{}`: the only accepted argument is \
                         `worker_threads = N`",
                        kind.attribute()
                    ),
                ));
            }
            if args.worker_threads.is_some() {
                return Err(syn::Error::new_spanned(
                    name,
                    "`worker_threads` is given twice; keep one",
                ));
            }
            let value = match &meta {
                Meta::NameValue(nv) => &nv.value,
                Meta::Path(_) | Meta::List(_) => {
                    return Err(syn::Error::new_spanned(
                        &meta,
                        "`worker_threads` needs a value: `worker_threads = N`, e.g. \
                         `worker_threads = 4`",
                    ));
                }
            };
            args.worker_threads = Some(worker_threads(value)?);
        }
        Ok(args)
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
