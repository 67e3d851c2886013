//! `#[weft::main]` and `#[weft::test]`: run an `async fn` on a new weft runtime.
//!
//! Users reach these through the `weft` crate (`#[weft::main]`), never this one. The expansion
//! names weft only by absolute paths (`::weft::runtime::Builder`), so it works whatever the
//! calling crate imports.
//!
//! ```ignore
//! #[weft::main]
//! async fn main() {
//!     let task = weft::spawn(async { 40 + 2 });
//!     println!("{}", task.await.unwrap());
//! }
//!
//! #[weft::test(worker_threads = 2)]
//! async fn adds() {
//!     assert_eq!(weft::spawn(async { 1 + 1 }).await.unwrap(), 2);
//! }
//! ```
//!
//! The function becomes a plain `fn` that builds a runtime (`worker_threads = N` if given, else
//! the builder's default of one worker per core), runs the body with `block_on`, closes the
//! runtime and returns the body's output. Misuse is a compile error pointing at the mistake.

use proc_macro::TokenStream;
use proc_macro2::{Span, TokenStream as TokenStream2};
use quote::quote;
use syn::parse::Parser;
use syn::punctuated::Punctuated;
use syn::{Expr, ExprLit, ItemFn, Lit, Meta, ReturnType, Token};

/// Runs `async fn main` on a new weft runtime (asyncio: `asyncio.run(main())`).
///
/// Accepts `worker_threads = N` (an integer literal, at least 1).
#[proc_macro_attribute]
pub fn main(args: TokenStream, item: TokenStream) -> TokenStream {
    expand(args.into(), item.into(), Kind::Main).into()
}

/// Runs an `async fn` test on a new weft runtime; the test fails if it panics.
///
/// Accepts `worker_threads = N` (an integer literal, at least 1).
#[proc_macro_attribute]
pub fn test(args: TokenStream, item: TokenStream) -> TokenStream {
    expand(args.into(), item.into(), Kind::Test).into()
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    Main,
    Test,
}

impl Kind {
    fn attribute(self) -> &'static str {
        match self {
            Kind::Main => "#[weft::main]",
            Kind::Test => "#[weft::test]",
        }
    }
}

fn expand(args: TokenStream2, item: TokenStream2, kind: Kind) -> TokenStream2 {
    match expand_fn(args, item.clone(), kind) {
        Ok(tokens) => tokens,
        Err(error) => {
            let error = error.to_compile_error();
            // For `main`, also emit an empty `fn main() {}`, so that the error above is the
            // only one (not a second "`main` function not found").
            match (kind, syn::parse2::<ItemFn>(item)) {
                (Kind::Main, Ok(function)) => {
                    let vis = &function.vis;
                    let ident = &function.sig.ident;
                    quote!(#error #vis fn #ident() {})
                }
                _ => error,
            }
        }
    }
}

/// The parsed attribute arguments.
struct Config {
    worker_threads: Option<usize>,
}

fn parse_config(args: TokenStream2, kind: Kind) -> syn::Result<Config> {
    let metas = Punctuated::<Meta, Token![,]>::parse_terminated.parse2(args)?;
    let mut config = Config {
        worker_threads: None,
    };
    for meta in metas {
        match &meta {
            Meta::NameValue(nv) if nv.path.is_ident("worker_threads") => {
                if config.worker_threads.is_some() {
                    return Err(syn::Error::new_spanned(
                        &nv.path,
                        "`worker_threads` is given twice",
                    ));
                }
                let Expr::Lit(ExprLit {
                    lit: Lit::Int(n), ..
                }) = &nv.value
                else {
                    return Err(syn::Error::new_spanned(
                        &nv.value,
                        "`worker_threads` takes an integer literal, e.g. `worker_threads = 4`",
                    ));
                };
                let n: usize = n.base10_parse()?;
                if n == 0 {
                    return Err(syn::Error::new_spanned(
                        &nv.value,
                        "`worker_threads` must be at least 1",
                    ));
                }
                config.worker_threads = Some(n);
            }
            other => {
                return Err(syn::Error::new_spanned(
                    other,
                    format!(
                        "unknown argument to {}: the accepted argument is `worker_threads = N`",
                        kind.attribute()
                    ),
                ));
            }
        }
    }
    Ok(config)
}

fn expand_fn(args: TokenStream2, item: TokenStream2, kind: Kind) -> syn::Result<TokenStream2> {
    let config = parse_config(args, kind)?;
    let mut function: ItemFn = syn::parse2(item)?;
    if function.sig.asyncness.is_none() {
        return Err(syn::Error::new_spanned(
            function.sig.fn_token,
            format!(
                "the `async` keyword is missing from the function declaration: {} runs an `async fn`",
                kind.attribute()
            ),
        ));
    }
    if !function.sig.inputs.is_empty() {
        return Err(syn::Error::new_spanned(
            &function.sig.inputs,
            format!("{} functions take no arguments", kind.attribute()),
        ));
    }
    function.sig.asyncness = None;
    let output = match &function.sig.output {
        ReturnType::Default => quote!(()),
        ReturnType::Type(_, ty) => quote!(#ty),
    };
    let workers = config
        .worker_threads
        .map(|n| quote!(.worker_threads(#n)))
        .unwrap_or_default();
    let message = format!("{}: could not start the weft runtime", kind.attribute());
    let test_attribute = match kind {
        Kind::Test => quote!(#[::core::prelude::v1::test]),
        Kind::Main => quote!(),
    };
    let attrs = &function.attrs;
    let vis = &function.vis;
    let sig = &function.sig;
    let body = &function.block;
    let body_ident = syn::Ident::new("__weft_body", Span::mixed_site());
    Ok(quote! {
        #test_attribute
        #(#attrs)*
        #vis #sig {
            // A body that always panics (a `should_panic` test) is not a mistake here.
            #[allow(clippy::diverging_sub_expression)]
            let #body_ident = async move #body;
            let #body_ident: ::core::pin::Pin<&mut dyn ::core::future::Future<Output = #output>> =
                ::core::pin::pin!(#body_ident);
            ::weft::runtime::Builder::new()
                #workers
                .build()
                .expect(#message)
                .block_on(#body_ident)
        }
    })
}
