//! The options of `#[service(...)]`.

use proc_macro2::{Ident, Span, TokenStream};
use proc_macro_crate::{crate_name, FoundCrate};
use quote::{quote, ToTokens};
use syn::meta::ParseNestedMeta;
use syn::{LitBool, LitStr, Path};

/// What `#[service(...)]` was given.
pub(crate) struct Options {
    /// How the service methods are named.
    pub(crate) style: Style,
    /// The paths of the runtime crates in the generated code.
    pub(crate) paths: Paths,
    /// Whether to generate the client.
    pub(crate) client: bool,
}

/// The `NameStyle` variant that names the service methods.
#[derive(Clone, Copy)]
pub(crate) enum Style {
    /// `style = "http"`, the default: `/math/add_num`.
    Http,
    /// `style = "rpc"`: `Math.AddNum`.
    Rpc,
}

impl Style {
    /// The variant's name, as the generated code and docs write it.
    pub(crate) fn variant(self) -> &'static str {
        match self {
            Self::Http => "Http",
            Self::Rpc => "Rpc",
        }
    }

    /// The style's name in prose.
    pub(crate) fn label(self) -> &'static str {
        match self {
            Self::Http => "HTTP",
            Self::Rpc => "RPC",
        }
    }
}

/// The roots of the router and session crates in the generated code.
pub(crate) struct Paths {
    /// `::telerpc_router`, or `<crate>::router`.
    pub(crate) router: TokenStream,
    /// `::telerpc_session`, or `<crate>::session`.
    pub(crate) session: TokenStream,
}

impl Options {
    /// Parses the tokens between the parentheses of `#[service(...)]`.
    pub(crate) fn parse(args: TokenStream) -> syn::Result<Self> {
        let mut style: Option<Style> = None;
        let mut krate: Option<Path> = None;
        let mut client: Option<bool> = None;
        let parser = syn::meta::parser(|meta| {
            if meta.path.is_ident("style") {
                once(&meta, &style)?;
                style = Some(parse_style(&meta.value()?.parse()?)?);
            } else if meta.path.is_ident("crate") {
                once(&meta, &krate)?;
                let path: LitStr = meta.value()?.parse()?;
                krate = Some(path.parse().map_err(|_| {
                    syn::Error::new(
                        path.span(),
                        "expected the path of the facade crate, as in `crate = \"telerpc\"`",
                    )
                })?);
            } else if meta.path.is_ident("client") {
                once(&meta, &client)?;
                client = Some(meta.value()?.parse::<LitBool>()?.value);
            } else {
                return Err(meta.error(format!(
                    "unknown option `{}`: the options are `style = \"http\"` or `style = \"rpc\"`, \
                     `crate = \"path\"` and `client = false`",
                    meta.path.to_token_stream(),
                )));
            }
            Ok(())
        });
        syn::parse::Parser::parse2(parser, args)?;
        Ok(Self {
            style: style.unwrap_or(Style::Http),
            paths: match krate {
                Some(root) => Paths {
                    router: quote!(#root::router),
                    session: quote!(#root::session),
                },
                None => Paths::found(),
            },
            client: client.unwrap_or(true),
        })
    }
}

/// Fails if the option `meta` names was already given.
fn once<T>(meta: &ParseNestedMeta<'_>, given: &Option<T>) -> syn::Result<()> {
    match given {
        Some(_) => Err(meta.error(format!(
            "the option `{}` is given twice",
            meta.path.to_token_stream()
        ))),
        None => Ok(()),
    }
}

/// The style a `style = "..."` value names.
fn parse_style(value: &LitStr) -> syn::Result<Style> {
    match value.value().as_str() {
        "http" => Ok(Style::Http),
        "rpc" => Ok(Style::Rpc),
        _ => Err(syn::Error::new(
            value.span(),
            "unknown style: expected `style = \"http\"` (eRPC's default, `/math/add_num`) \
             or `style = \"rpc\"` (`Math.AddNum`)",
        )),
    }
}

impl Paths {
    /// The runtime crates as the calling crate depends on them: `telerpc-router` and
    /// `telerpc-session` directly when it does, else through the `telerpc` facade when it
    /// depends on that, else by their own names.
    fn found() -> Self {
        let direct = |name: &str| match crate_name(name) {
            Ok(FoundCrate::Name(name)) => Some(Ident::new(&name, Span::call_site())),
            Ok(FoundCrate::Itself) | Err(_) => None,
        };
        match (
            direct("telerpc-router"),
            direct("telerpc-session"),
            direct("telerpc"),
        ) {
            (Some(router), Some(session), _) => Self {
                router: quote!(::#router),
                session: quote!(::#session),
            },
            (_, _, Some(facade)) => Self {
                router: quote!(::#facade::router),
                session: quote!(::#facade::session),
            },
            _ => Self {
                router: quote!(::telerpc_router),
                session: quote!(::telerpc_session),
            },
        }
    }
}
