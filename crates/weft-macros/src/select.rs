//! `select!`: wait for the first of several futures (asyncio's `wait(return_when=
//! FIRST_COMPLETED)`), run that branch's handler, drop the rest.
//!
//! # Grammar
//!
//! ```text
//! select! {
//!     biased;                                   (optional: poll top to bottom)
//!     <pattern> = <future> [, if <condition>] => <handler>[,]
//!     ...
//!     else => <expression>[,]                   (optional)
//! }
//! ```
//!
//! A handler that is a block needs no comma after it; any other handler does, unless it is the
//! last branch.
//!
//! # Expansion
//!
//! ```text
//! {
//!     enum Out<T0, T1, ..> { _0(T0), _1(T1), .., Disabled }
//!     let out = {
//!         let mut disabled = [false; N];        // then `disabled[i] = !(condition_i)`
//!         let mut f0 = pin!(into_future(future_0));
//!         ..
//!         poll_fn(|cx| {
//!             // from a random branch (or branch 0 when biased), each enabled branch once:
//!             //   Pending: remember it; Ready(v): disable the branch; if `v` does not match
//!             //   the branch's pattern, go on; else return Ready(Out::_i(v))
//!             // nothing pending: Ready(Out::Disabled)
//!         }).await
//!     };                                        // every future is dropped here
//!     match out { Out::_0(<pattern_0>) => <handler_0>, .., Out::Disabled => <else> }
//! }
//! ```
//!
//! The conditions, then the futures, are evaluated once each, in order, before the first poll
//! (a disabled branch's future is made but never polled); the
//! handlers run after every future is dropped and outside any closure, so `?`, `return`,
//! `break`, `continue` and `.await` in a handler act on the code around the `select!`. Without
//! an `else`, every branch disabled is a panic saying so. The pattern is first tried against a
//! reference to the output (with `mut` and `ref` removed from its bindings, so it moves
//! nothing), then matched by value in the handler's arm. Internal names are hygienic
//! (`Span::mixed_site`): user code cannot see or shadow them. Only `::weft::__private` items
//! are named, so the expansion works on any executor.

use proc_macro2::{Span, TokenStream};
use quote::{format_ident, quote, quote_spanned};
use syn::parse::{Parse, ParseStream};
use syn::spanned::Spanned;
use syn::visit_mut::VisitMut;
use syn::{Expr, Pat, Token};

/// One `pattern = future [, if condition] => handler` branch.
struct Branch {
    pat: Pat,
    future: Expr,
    condition: Option<Expr>,
    handler: Expr,
}

/// The whole macro input.
struct Select {
    biased: bool,
    branches: Vec<Branch>,
    otherwise: Option<Expr>,
}

mod kw {
    syn::custom_keyword!(biased);
}

impl Parse for Select {
    fn parse(input: ParseStream<'_>) -> syn::Result<Select> {
        let biased = if input.peek(kw::biased) && input.peek2(Token![;]) {
            input.parse::<kw::biased>()?;
            input.parse::<Token![;]>()?;
            true
        } else {
            false
        };
        let mut branches = Vec::new();
        let mut otherwise = None;
        while !input.is_empty() {
            if input.peek(Token![else]) {
                let token = input.parse::<Token![else]>()?;
                if otherwise.is_some() {
                    return Err(syn::Error::new(
                        token.span,
                        "select! takes at most one `else` branch",
                    ));
                }
                input.parse::<Token![=>]>()?;
                otherwise = Some(parse_handler(input)?);
                continue;
            }
            let pat = Pat::parse_multi_with_leading_vert(input)?;
            input.parse::<Token![=]>()?;
            let future: Expr = input.parse()?;
            let condition = if input.peek(Token![,]) && input.peek2(Token![if]) {
                input.parse::<Token![,]>()?;
                input.parse::<Token![if]>()?;
                Some(input.parse()?)
            } else {
                None
            };
            input.parse::<Token![=>]>()?;
            let handler = parse_handler(input)?;
            branches.push(Branch {
                pat,
                future,
                condition,
                handler,
            });
        }
        if branches.is_empty() && otherwise.is_none() {
            return Err(syn::Error::new(
                Span::call_site(),
                "select! needs at least one branch: `pattern = future => handler`",
            ));
        }
        Ok(Select {
            biased,
            branches,
            otherwise,
        })
    }
}

/// A handler and the comma after it (required unless it is a block or the last branch).
fn parse_handler(input: ParseStream<'_>) -> syn::Result<Expr> {
    let handler: Expr = input.parse()?;
    let block_like = matches!(
        handler,
        Expr::Block(_)
            | Expr::If(_)
            | Expr::Match(_)
            | Expr::Loop(_)
            | Expr::While(_)
            | Expr::ForLoop(_)
            | Expr::Unsafe(_)
    );
    if input.peek(Token![,]) {
        input.parse::<Token![,]>()?;
    } else if !input.is_empty() && !block_like {
        return Err(input.error("expected `,` after this select! branch"));
    }
    Ok(handler)
}

/// Removes `mut` and `ref` from a pattern's bindings, so it can be tried against a reference
/// without moving out of it.
struct Clean;

impl VisitMut for Clean {
    fn visit_pat_ident_mut(&mut self, ident: &mut syn::PatIdent) {
        ident.mutability = None;
        ident.by_ref = None;
        syn::visit_mut::visit_pat_ident_mut(self, ident);
    }
}

/// Expands `select!`.
pub(crate) fn expand(input: TokenStream) -> TokenStream {
    let select = match syn::parse2::<Select>(input) {
        Ok(select) => select,
        Err(err) => return err.to_compile_error(),
    };
    let site = Span::mixed_site();
    let n = select.branches.len();
    let out = format_ident!("__WeftSelectOut", span = site);
    let disabled = format_ident!("__weft_disabled", span = site);
    let output = format_ident!("__weft_output", span = site);
    let cx = format_ident!("__weft_cx", span = site);
    let pending = format_ident!("__weft_pending", span = site);
    let value = format_ident!("__weft_value", span = site);
    let types: Vec<_> = (0..n)
        .map(|i| format_ident!("T{}", i, span = site))
        .collect();
    let variants: Vec<_> = (0..n)
        .map(|i| format_ident!("_{}", i, span = site))
        .collect();
    let futures: Vec<_> = (0..n)
        .map(|i| format_ident!("__weft_future_{}", i, span = site))
        .collect();

    let pin_futures = select.branches.iter().zip(&futures).map(|(b, f)| {
        let future = &b.future;
        quote_spanned! {future.span()=>
            let mut #f = ::core::pin::pin!(::core::future::IntoFuture::into_future(#future));
        }
    });
    let conditions = select.branches.iter().enumerate().filter_map(|(i, b)| {
        b.condition
            .as_ref()
            .map(|c| quote_spanned! {site=> #disabled[#i] = !(#c); })
    });
    let arms = select.branches.iter().enumerate().map(|(i, b)| {
        let f = &futures[i];
        let variant = &variants[i];
        let mut probe = b.pat.clone();
        Clean.visit_pat_mut(&mut probe);
        quote_spanned! {site=>
            #i => {
                if #disabled[#i] {
                    continue;
                }
                let #value = match ::core::future::Future::poll(#f.as_mut(), #cx) {
                    ::core::task::Poll::Ready(v) => v,
                    ::core::task::Poll::Pending => {
                        #pending = true;
                        continue;
                    }
                };
                #disabled[#i] = true;
                #[allow(unused_variables, unreachable_patterns, clippy::redundant_pattern_matching)]
                match &#value {
                    #probe => {}
                    _ => continue,
                }
                return ::core::task::Poll::Ready(#out::#variant(#value));
            }
        }
    });
    if n == 0 {
        // Only an `else`: nothing to wait for.
        let otherwise = &select.otherwise;
        return quote! { { #otherwise } };
    }
    let start = if select.biased {
        quote_spanned! {site=> 0usize }
    } else {
        quote_spanned! {site=> ::weft::__private::select_start(#n) }
    };
    let handlers = select.branches.iter().enumerate().map(|(i, b)| {
        let pat = &b.pat;
        let handler = &b.handler;
        let variant = &variants[i];
        quote_spanned! {site=> #out::#variant(#pat) => #handler, }
    });
    let otherwise = match &select.otherwise {
        Some(expr) => quote_spanned! {site=> #out::Disabled => #expr, },
        None => quote_spanned! {site=>
            #out::Disabled => ::core::panic!(
                "weft::select!: every branch is disabled (its pattern did not match, or its \
                 `if` condition was false) and there is no `else` branch to run"
            ),
        },
    };
    quote_spanned! {site=>
        {
            #[allow(non_camel_case_types, dead_code)]
            enum #out<#(#types,)*> {
                #(#variants(#types),)*
                Disabled,
            }
            let #output = {
                #[allow(unused_mut)]
                let mut #disabled: [bool; #n] = [false; #n];
                #(#conditions)*
                #(#pin_futures)*
                ::weft::__private::poll_fn(|#cx: &mut ::core::task::Context<'_>| {
                    let start: usize = #start;
                    #[allow(unused_mut)]
                    let mut #pending = false;
                    #[allow(clippy::modulo_one)]
                    for offset in 0..#n {
                        match (start + offset) % #n {
                            #(#arms)*
                            _ => ::core::unreachable!(),
                        }
                    }
                    if #pending {
                        ::core::task::Poll::Pending
                    } else {
                        ::core::task::Poll::Ready(#out::Disabled)
                    }
                })
                .await
            };
            // A branch's value reaches here only if its pattern matched (checked above).
            #[allow(unreachable_code, unreachable_patterns)]
            match #output {
                #(#handlers)*
                #otherwise
                _ => ::core::unreachable!("weft::select!: a branch won whose pattern did not match"),
            }
        }
    }
}
