//! From `async fn` to a plain `fn` that runs the body on a new weft runtime.
//!
//! ```ignore
//! #[weft::test(worker_threads = 2)]
//! #[ignore]
//! async fn name() -> Result<(), E> { body }
//! ```
//!
//! becomes, in outline (the locals have `mixed_site` hygiene, so the body cannot see them):
//!
//! ```ignore
//! #[::core::prelude::v1::test]
//! #[ignore]
//! fn name() -> Result<(), E> {
//!     let body = async move {
//!         let output: Result<(), E> = { body };
//!         #[allow(unreachable_code)] // when the body diverges
//!         return output;
//!     };
//!     let body: Pin<&mut dyn Future<Output = Result<(), E>>> = pin!(body); // tests only
//!     let runtime = ::weft::runtime::Builder::new()
//!         .worker_threads(2)
//!         .build()
//!         .expect("`#[weft::test]` could not build the weft runtime");
//!     runtime.block_on(body)
//! }
//! ```
//!
//! - `let output: T = { body }` gives the body its expected type up front, so a wrong return
//!   value is reported at the value in the body, not at the attribute. It is left out when the
//!   return type is `impl Trait` or `!`, which a `let` cannot name.
//! - Tests block on a `Pin<&mut dyn Future>`, so a crate with many tests compiles one
//!   `block_on` per output type instead of one per test (tokio does the same). `main` runs
//!   once, so it blocks on the future itself.
//! - The runtime is dropped, and so closed, when the function returns.

use crate::Kind;
use crate::args::{Args, Flavor};
use proc_macro2::{Span, TokenStream, TokenTree};
use quote::{ToTokens, quote};
use syn::{AttrStyle, Attribute, Ident, Item, ItemFn, ReturnType, Type};

/// The attribute's whole expansion. On error: the error and, for `main`, an empty function of
/// the same name, so the macro's error is not followed by "`main` function not found".
pub(crate) fn expand(args: TokenStream, item: TokenStream, kind: Kind) -> TokenStream {
    let function = match syn::parse2::<Item>(item) {
        Ok(Item::Fn(function)) => function,
        Ok(other) => {
            return syn::Error::new_spanned(
                other,
                format!("`{}` applies to an `async fn`", kind.attribute()),
            )
            .to_compile_error();
        }
        Err(error) => return error.to_compile_error(),
    };
    match Args::parse(args, kind).and_then(|args| expand_fn(&function, &args, kind)) {
        Ok(tokens) => tokens,
        Err(error) => {
            let error = error.to_compile_error();
            match kind {
                Kind::Main => {
                    let vis = &function.vis;
                    let ident = &function.sig.ident;
                    quote!(#error #vis fn #ident() {})
                }
                Kind::Test => error,
            }
        }
    }
}

/// Checks the function's shape and builds the synchronous version.
fn expand_fn(function: &ItemFn, args: &Args, kind: Kind) -> syn::Result<TokenStream> {
    let sig = &function.sig;
    if sig.asyncness.is_none() {
        return Err(syn::Error::new_spanned(
            sig.fn_token,
            format!(
                "the `async` keyword is missing from the function declaration: `{}` runs an \
                 `async fn`",
                kind.attribute()
            ),
        ));
    }
    if !sig.inputs.is_empty() {
        let example = match kind {
            Kind::Main => "async fn main()",
            Kind::Test => "async fn my_test()",
        };
        return Err(syn::Error::new_spanned(
            &sig.inputs,
            format!(
                "`{}` functions take no parameters: write `{example}`",
                kind.attribute()
            ),
        ));
    }
    if kind == Kind::Test
        && let Some(test) = function.attrs.iter().find(|a| is_test_attribute(a))
    {
        return Err(syn::Error::new_spanned(
            test,
            "`#[weft::test]` already makes the function a test: remove this `#[test]`",
        ));
    }

    let mut sig = sig.clone();
    sig.asyncness = None;
    let output = match &sig.output {
        ReturnType::Default => quote!(()),
        ReturnType::Type(_, ty) => ty.to_token_stream(),
    };
    let nameable = match &sig.output {
        ReturnType::Default => true,
        ReturnType::Type(_, ty) => !matches!(**ty, Type::Never(_)) && !mentions_impl(&output),
    };

    // `mixed_site`: local variables of the expansion are invisible to the user's body.
    let body_var = Ident::new("__weft_body", Span::mixed_site());
    let output_var = Ident::new("__weft_output", Span::mixed_site());
    let runtime_var = Ident::new("__weft_runtime", Span::mixed_site());

    let body = &function.block;
    let future = if nameable {
        quote! {
            async move {
                // The allow is for a body ending in `panic!()`, which clippy would blame on
                // this `let`.
                #[allow(clippy::diverging_sub_expression)]
                let #output_var: #output = #body;
                // When the body diverges (a server's endless accept loop), this is unreachable.
                #[allow(unreachable_code, clippy::needless_return)]
                return #output_var;
            }
        }
    } else {
        quote!(async move #body)
    };
    let erase = if kind == Kind::Test && nameable {
        quote! {
            let #body_var: ::core::pin::Pin<&mut dyn ::core::future::Future<Output = #output>> =
                ::core::pin::pin!(#body_var);
        }
    } else {
        quote!()
    };
    let worker_threads = args.worker_threads.map(|n| quote!(.worker_threads(#n)));
    let start_paused = args.start_paused.then(|| quote!(.start_paused(true)));
    let build = match args.flavor {
        Flavor::MultiThread => quote!(.build()),
        Flavor::Local => quote!(.build_local()),
    };
    let message = format!("`{}` could not build the weft runtime", kind.attribute());
    let test_attribute = match kind {
        Kind::Test => quote!(#[::core::prelude::v1::test]),
        Kind::Main => quote!(),
    };
    // syn keeps the body's inner attributes (`#![allow(..)]`) with the outer ones; they go
    // back at the top of the new body.
    let (inner, outer): (Vec<_>, Vec<_>) = function
        .attrs
        .iter()
        .partition(|a| matches!(a.style, AttrStyle::Inner(_)));
    let vis = &function.vis;

    Ok(quote! {
        #test_attribute
        #(#outer)*
        #vis #sig {
            #(#inner)*
            let #body_var = #future;
            #erase
            #[allow(clippy::expect_used)]
            let #runtime_var = ::weft::runtime::Builder::new()
                #worker_threads
                #start_paused
                #build
                .expect(#message);
            #runtime_var.block_on(#body_var)
        }
    })
}

/// `#[test]` or `#[core::prelude::v1::test]`-style paths: a second test attribute.
fn is_test_attribute(attribute: &Attribute) -> bool {
    if !matches!(attribute.style, AttrStyle::Outer) {
        return false;
    }
    let path = attribute.path();
    let last_is_test = path.segments.last().is_some_and(|s| s.ident == "test");
    let std_prelude = path.segments.len() == 1
        || path
            .segments
            .first()
            .is_some_and(|s| s.ident == "core" || s.ident == "std");
    last_is_test && std_prelude
}

/// Whether a type mentions `impl Trait` anywhere (`impl Debug`, `Result<impl Debug, E>`).
fn mentions_impl(tokens: &TokenStream) -> bool {
    tokens.clone().into_iter().any(|token| match token {
        TokenTree::Ident(ident) => ident == "impl",
        TokenTree::Group(group) => mentions_impl(&group.stream()),
        TokenTree::Punct(_) | TokenTree::Literal(_) => false,
    })
}
