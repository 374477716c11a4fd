//! The expansion of `#[service]`: the checks on the impl block, the `Service` impl and the
//! client.

use proc_macro2::{Span, TokenStream};
use quote::{format_ident, quote, quote_spanned};
use syn::spanned::Spanned;
use syn::{GenericArgument, Ident, Item, ItemImpl, LitStr, PathArguments, Type};

use crate::method::{service_methods, Kind, ServiceMethod};
use crate::options::Options;

/// The expansion of `#[service(args)]` on `item`: the impl block with its `#[rename]`s taken
/// off, the `Service` impl and the client; or the item and the errors found.
pub(crate) fn service(args: TokenStream, item: TokenStream) -> TokenStream {
    let mut block = match syn::parse2::<Item>(item.clone()) {
        Ok(Item::Impl(block)) => block,
        _ => {
            let error = syn::Error::new_spanned(
                &item,
                "`#[service]` goes on an impl block of the controller's methods, as in \
                 `#[service] impl Math { pub async fn add(&self, ctx: CallCtx, args: Vec<i64>) \
                 -> Result<i64, Status> { ... } }`",
            )
            .to_compile_error();
            return quote!(#item #error);
        }
    };
    if let Some((_, trait_path, for_token)) = &block.trait_ {
        let error = syn::Error::new_spanned(
            quote!(#trait_path #for_token),
            "`#[service]` goes on an inherent impl block (`impl Math { ... }`), not on an \
             impl of a trait: move the service methods to an `impl Math` block of their own",
        )
        .to_compile_error();
        return quote!(#block #error);
    }

    let mut errors = Errors::default();
    let options = errors.keep(Options::parse(args));
    let with_client = options.as_ref().is_none_or(|options| options.client);
    let type_name = errors.keep(controller_name(&block));
    let methods = errors.keep(service_methods(&mut block.items, with_client));
    if let (Some(type_name), Some(methods)) = (&type_name, &methods) {
        if methods.is_empty() {
            errors.add(syn::Error::new_spanned(
                &block.self_ty,
                format!(
                    "`{type_name}` has no service method: a service method is a public async \
                     method taking `&self`, a `CallCtx` (a call) or a `PushCtx` (a push), and \
                     an argument"
                ),
            ));
        }
    }
    match (errors.0, options, type_name, methods) {
        (None, Some(options), Some(type_name), Some(methods)) => {
            let service = service_impl(&options, &block.self_ty, &type_name, &methods);
            let client = if options.client {
                client_items(&options, &type_name, &methods)
            } else {
                TokenStream::new()
            };
            quote!(#block #service #client)
        }
        (errors, ..) => {
            let errors = errors.map(|errors| errors.to_compile_error());
            quote!(#block #errors)
        }
    }
}

/// Every error found, combined.
#[derive(Default)]
struct Errors(Option<syn::Error>);

impl Errors {
    /// Adds `error`.
    fn add(&mut self, error: syn::Error) {
        match &mut self.0 {
            Some(errors) => errors.combine(error),
            None => self.0 = Some(error),
        }
    }

    /// The value of `result`, or `None` with its error added.
    fn keep<T>(&mut self, result: syn::Result<T>) -> Option<T> {
        result.map_err(|error| self.add(error)).ok()
    }
}

/// The name of the controller's type, from which its service methods are named: the last
/// segment of its path. The impl block must not be generic.
fn controller_name(block: &ItemImpl) -> syn::Result<Ident> {
    let generics = &block.generics;
    if !generics.params.is_empty() || generics.where_clause.is_some() {
        let where_clause = &generics.where_clause;
        return Err(syn::Error::new_spanned(
            quote!(#generics #where_clause),
            "`#[service]` needs a concrete controller type, as its routes and client are not \
             generic: implement `Service` by hand for a generic controller",
        ));
    }
    match &*block.self_ty {
        Type::Path(path) if path.qself.is_none() => match path.path.segments.last() {
            Some(last) => Ok(last.ident.clone()),
            None => Err(syn::Error::new_spanned(path, "expected a type name")),
        },
        other => Err(syn::Error::new_spanned(
            other,
            "`#[service]` needs the controller's type by name, as in `impl Math`",
        )),
    }
}

/// `impl Service for <self_ty>`, registering every service method.
fn service_impl(
    options: &Options,
    self_ty: &Type,
    type_name: &Ident,
    methods: &[ServiceMethod],
) -> TokenStream {
    let router = &options.paths.router;
    let registrations = methods.iter().map(|method| {
        let ServiceMethod {
            ident,
            kind,
            arg,
            cfgs,
            ..
        } = method;
        let service_method = match &method.rename {
            Some(service_method) => quote!(#service_method),
            None => {
                let mapped = mapped_name(options, type_name, ident);
                quote!(&#mapped)
            }
        };
        let (register, ctx) = match kind {
            Kind::Call => (
                quote_spanned!(ident.span()=> call),
                quote!(#router::CallCtx),
            ),
            Kind::Push => (
                quote_spanned!(ident.span()=> push),
                quote!(#router::PushCtx),
            ),
        };
        quote! {
            #(#cfgs)*
            let routes = {
                let this = ::std::sync::Arc::clone(&self);
                routes.#register(#service_method, move |ctx: #ctx, arg: #arg| {
                    let this = ::std::sync::Arc::clone(&this);
                    async move { Self::#ident(&this, ctx, arg).await }
                })
            };
        }
    });
    quote! {
        impl #router::Service for #self_ty {
            fn register(
                self: ::std::sync::Arc<Self>,
                routes: #router::Routes,
            ) -> #router::Routes {
                #(#registrations)*
                routes
            }
        }
    }
}

/// The expression naming the method `ident` of `type_name` with the router's mapping, in the
/// style chosen: a `String`.
fn mapped_name(options: &Options, type_name: &Ident, ident: &Ident) -> TokenStream {
    let router = &options.paths.router;
    let variant = format_ident!("{}", options.style.variant());
    let type_name = LitStr::new(&type_name.to_string(), type_name.span());
    let method = LitStr::new(&ident.to_string(), ident.span());
    quote!(#router::NameStyle::#variant.rust_service_method(#type_name, #method))
}

/// `<Type>Client`: a session and one method per service method.
fn client_items(options: &Options, type_name: &Ident, methods: &[ServiceMethod]) -> TokenStream {
    let session = &options.paths.session;
    let client = format_ident!("{}Client", type_name);
    let doc = format!(
        " The client of the `{type_name}` service: one method per service method of \
         `{type_name}`, calling or pushing it through a session. It names the service methods \
         as `{type_name}` serves them at the root of a router, in {} style.",
        options.style.label()
    );
    let methods = methods
        .iter()
        .map(|method| client_method(options, type_name, method));
    quote! {
        #[doc = #doc]
        #[derive(::core::fmt::Debug, ::core::clone::Clone)]
        pub struct #client {
            session: #session::Session,
        }

        impl #client {
            /// A client calling and pushing through `session`.
            pub fn new(session: #session::Session) -> Self {
                Self { session }
            }

            /// The session the client calls and pushes through.
            pub fn session(&self) -> &#session::Session {
                &self.session
            }

            #(#methods)*
        }
    }
}

/// The client's method for one service method: it returns the session's `Call` or `Push`
/// builder, which the caller awaits.
fn client_method(options: &Options, type_name: &Ident, method: &ServiceMethod) -> TokenStream {
    let session = &options.paths.session;
    let ServiceMethod {
        ident,
        kind,
        arg_name,
        output,
        docs,
        cfgs,
        ..
    } = method;
    let service_method = match &method.rename {
        Some(service_method) => quote!(#service_method),
        None => {
            let mapped = mapped_name(options, type_name, ident);
            quote! {{
                static SERVICE_METHOD: ::std::sync::OnceLock<::std::string::String> =
                    ::std::sync::OnceLock::new();
                SERVICE_METHOD.get_or_init(|| #mapped)
            }}
        }
    };
    let usage = match kind {
        Kind::Call => format!(
            " Calls `{type_name}::{ident}` on the peer: `.await` the `Call` for the result, \
             after setting its timeout, meta or codec if need be."
        ),
        Kind::Push => format!(
            " Pushes to `{type_name}::{ident}` on the peer: `.await` the `Push` to send it, \
             after setting its meta or codec if need be."
        ),
    };
    let separator = (!docs.is_empty()).then(|| quote!(#[doc = ""]));
    // Spanned at the attribute, not at the user's method, so that lints on the names (such as
    // `non_snake_case`) fire once, on the method.
    let name = at_call_site(ident);
    let arg_name = at_call_site(arg_name);
    let unit = matches!(&method.arg, Type::Tuple(unit) if unit.elems.is_empty());
    let (generics, receiver, parameter, arg, lifetime, borrowed) = if unit {
        (
            quote!(),
            quote!(&self),
            quote!(),
            quote!(&()),
            quote!('_),
            quote!(()),
        )
    } else {
        let borrowed = borrowed(&method.arg);
        (
            quote!(<'a>),
            quote!(&'a self),
            quote!(#arg_name: &'a #borrowed),
            quote!(#arg_name),
            quote!('a),
            borrowed,
        )
    };
    // Spanned at the argument's type, so that an argument the session cannot encode is an
    // error there.
    let argument_span = method.arg.span();
    let (send, builder) = match kind {
        Kind::Call => (
            quote_spanned!(argument_span=> call),
            quote!(#session::Call<#lifetime, #borrowed, #output>),
        ),
        Kind::Push => (
            quote_spanned!(argument_span=> push),
            quote!(#session::Push<#lifetime, #borrowed>),
        ),
    };
    quote! {
        #(#docs)*
        #separator
        #[doc = #usage]
        #(#cfgs)*
        pub fn #name #generics(#receiver, #parameter) -> #builder {
            self.session.#send(#service_method, #arg)
        }
    }
}

/// `ident` spanned at the attribute.
fn at_call_site(ident: &Ident) -> Ident {
    let mut ident = ident.clone();
    ident.set_span(Span::call_site());
    ident
}

/// What the client borrows for an argument of type `ty`: `str` for a `String`, `[T]` for a
/// `Vec<T>` (they encode alike), else `ty` itself.
fn borrowed(ty: &Type) -> TokenStream {
    let Type::Path(path) = ty else {
        return quote!(#ty);
    };
    let segments: Vec<String> = path
        .path
        .segments
        .iter()
        .map(|segment| segment.ident.to_string())
        .collect();
    let names = |module: &str, name: &str| {
        path.qself.is_none()
            && (segments == [name]
                || segments == ["std", module, name]
                || segments == ["alloc", module, name])
    };
    match path.path.segments.last().map(|last| &last.arguments) {
        Some(PathArguments::None) if names("string", "String") => quote!(str),
        Some(PathArguments::AngleBracketed(arguments))
            if names("vec", "Vec") && arguments.args.len() == 1 =>
        {
            match arguments.args.first() {
                Some(GenericArgument::Type(item)) => quote!([#item]),
                _ => quote!(#ty),
            }
        }
        _ => quote!(#ty),
    }
}
