//! The service methods of an impl block: which methods are, and their checked shapes.

use quote::{format_ident, quote};
use syn::{
    Attribute, FnArg, GenericArgument, Ident, ImplItem, ImplItemFn, LitStr, Pat, PathArguments,
    Receiver, ReturnType, Type, Visibility,
};

/// The shape every service method has, for the error messages.
const SHAPE: &str = "a service method is `pub async fn name(&self, ctx: CallCtx, arg: A) -> \
                     Result<R, Status>`, or with `ctx: PushCtx` and `Result<(), Status>` for a push";

/// What a service method answers.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    /// A CALL: the method takes a `CallCtx`.
    Call,
    /// A PUSH: the method takes a `PushCtx`.
    Push,
}

/// A public async method of the impl block, checked.
pub(crate) struct ServiceMethod {
    /// The method's name.
    pub(crate) ident: Ident,
    /// Call or push, from the context it takes.
    pub(crate) kind: Kind,
    /// The name of the argument in the client: the method's own when it is a plain name.
    pub(crate) arg_name: Ident,
    /// The argument's type.
    pub(crate) arg: Type,
    /// `R` in `Result<R, Status>`.
    pub(crate) output: Type,
    /// The method's doc comment.
    pub(crate) docs: Vec<Attribute>,
    /// The method's `#[cfg]`s, repeated on what is generated for it.
    pub(crate) cfgs: Vec<Attribute>,
    /// The service method set with `#[rename("...")]`.
    pub(crate) rename: Option<LitStr>,
}

/// Takes the `#[rename]` attributes off the methods of `items` and returns the service methods,
/// or every error found. `client` says whether a client is generated, whose own methods the
/// service methods must not clash with.
pub(crate) fn service_methods(
    items: &mut [ImplItem],
    client: bool,
) -> syn::Result<Vec<ServiceMethod>> {
    let mut methods = Vec::new();
    let mut errors: Option<syn::Error> = None;
    for item in items {
        let ImplItem::Fn(function) = item else {
            continue;
        };
        match service_method(function, client) {
            Ok(Some(method)) => methods.push(method),
            Ok(None) => {}
            Err(error) => match &mut errors {
                Some(all) => all.combine(error),
                None => errors = Some(error),
            },
        }
    }
    match errors {
        Some(errors) => Err(errors),
        None => Ok(methods),
    }
}

/// `function` as a service method if it is public and async (its `#[rename]` taken off), or
/// `None` if it is not.
fn service_method(function: &mut ImplItemFn, client: bool) -> syn::Result<Option<ServiceMethod>> {
    let rename = take_rename(&mut function.attrs)?;
    if !matches!(function.vis, Visibility::Public(_)) || function.sig.asyncness.is_none() {
        return match rename {
            Some((attribute, _)) => Err(syn::Error::new_spanned(
                attribute,
                "`#[rename]` names a service method, and only public async methods are service \
                 methods: make this method `pub async` or remove the attribute",
            )),
            None => Ok(None),
        };
    }
    let sig = &function.sig;
    if client && (sig.ident == "new" || sig.ident == "session") {
        return Err(syn::Error::new(
            sig.ident.span(),
            format!(
                "a service method named `{}` clashes with the generated client's own method: \
                 rename the Rust method (and keep its service method with `#[rename(\"...\")]`) \
                 or generate no client with `#[service(client = false)]`",
                sig.ident
            ),
        ));
    }
    if let Some(unsafety) = sig.unsafety {
        return Err(syn::Error::new(
            unsafety.span,
            "a service method cannot be `unsafe`",
        ));
    }
    let generics = &sig.generics;
    if !generics.params.is_empty() || generics.where_clause.is_some() {
        let where_clause = &generics.where_clause;
        return Err(syn::Error::new_spanned(
            quote!(#generics #where_clause),
            "a service method cannot be generic: the router decodes one argument type and \
             encodes one result type",
        ));
    }

    let mut inputs = sig.inputs.iter();
    match inputs.next() {
        Some(FnArg::Receiver(receiver)) if by_shared_reference(receiver) => {}
        Some(other) => {
            return Err(syn::Error::new_spanned(
                other,
                format!("a service method takes `&self` first: {SHAPE}"),
            ))
        }
        None => {
            return Err(syn::Error::new(
                sig.paren_token.span.join(),
                format!("expected `&self`, the context and the argument: {SHAPE}"),
            ))
        }
    }
    let kind =
        match inputs.next() {
            Some(FnArg::Typed(ctx)) => context_kind(&ctx.ty).ok_or_else(|| {
                syn::Error::new_spanned(
                    &ctx.ty,
                    "expected the context here, before the argument: `ctx: CallCtx` for a call, \
                 `ctx: PushCtx` for a push",
                )
            })?,
            _ => return Err(syn::Error::new(
                sig.paren_token.span.close(),
                "expected the context after `&self`: `ctx: CallCtx` for a call, `ctx: PushCtx` \
                 for a push, then the argument",
            )),
        };
    let Some(FnArg::Typed(arg)) = inputs.next() else {
        return Err(syn::Error::new(
            sig.paren_token.span.close(),
            "expected the argument after the context: a service method takes one, `_: ()` \
             for none",
        ));
    };
    let extra: Vec<&FnArg> = inputs.collect();
    if !extra.is_empty() {
        return Err(syn::Error::new_spanned(
            quote!(#(#extra),*),
            "a service method takes one argument after the context: gather these values and \
             the argument in a struct or a tuple",
        ));
    }
    if matches!(
        *arg.ty,
        Type::Reference(_) | Type::ImplTrait(_) | Type::Infer(_)
    ) {
        return Err(syn::Error::new_spanned(
            &arg.ty,
            "a service method takes its argument by value: a type the router decodes, such as \
             a serde type, `Proto<T>` or `Raw`",
        ));
    }

    let output = match &sig.output {
        ReturnType::Type(_, ty) => result_ok(ty).ok_or_else(|| {
            syn::Error::new_spanned(ty, format!("expected `Result<R, Status>`: {SHAPE}"))
        })?,
        ReturnType::Default => {
            return Err(syn::Error::new(
                sig.ident.span(),
                format!("this method returns nothing: {SHAPE}"),
            ))
        }
    };
    if kind == Kind::Push && !matches!(output, Type::Tuple(unit) if unit.elems.is_empty()) {
        return Err(syn::Error::new_spanned(
            output,
            "a push returns `Result<(), Status>`, as nothing goes back to the pusher: return \
             `()`, or take a `CallCtx` to make this method a call",
        ));
    }

    Ok(Some(ServiceMethod {
        ident: sig.ident.clone(),
        kind,
        arg_name: arg_name(&arg.pat),
        arg: (*arg.ty).clone(),
        output: output.clone(),
        docs: attributes(&function.attrs, "doc"),
        cfgs: attributes(&function.attrs, "cfg"),
        rename: rename.map(|(_, service_method)| service_method),
    }))
}

/// Takes the `#[rename("...")]` attributes off `attrs`: the one there is, with the service
/// method it names, or an error if it is malformed or repeated.
fn take_rename(attrs: &mut Vec<Attribute>) -> syn::Result<Option<(Attribute, LitStr)>> {
    let (renames, kept): (Vec<Attribute>, Vec<Attribute>) = std::mem::take(attrs)
        .into_iter()
        .partition(|attribute| attribute.path().is_ident("rename"));
    *attrs = kept;
    let mut renames = renames.into_iter();
    let Some(attribute) = renames.next() else {
        return Ok(None);
    };
    if let Some(again) = renames.next() {
        return Err(syn::Error::new_spanned(
            again,
            "a method is renamed once: remove this `#[rename]`",
        ));
    }
    let service_method: LitStr = attribute.parse_args().map_err(|_| {
        syn::Error::new_spanned(
            &attribute,
            "expected the service method as a string: `#[rename(\"/custom/path\")]`",
        )
    })?;
    let value = service_method.value();
    if value.is_empty() {
        return Err(syn::Error::new(
            service_method.span(),
            "a service method cannot be empty",
        ));
    }
    if value.contains('?') {
        return Err(syn::Error::new(
            service_method.span(),
            "a service method has no `?`: what follows a `?` is the query of a message",
        ));
    }
    Ok(Some((attribute, service_method)))
}

/// Whether the receiver is `&self` (or `self: &Self`).
fn by_shared_reference(receiver: &Receiver) -> bool {
    match &*receiver.ty {
        Type::Reference(reference) => {
            reference.mutability.is_none()
                && matches!(&*reference.elem, Type::Path(path) if path.qself.is_none() && path.path.is_ident("Self"))
        }
        _ => false,
    }
}

/// Call or push, if `ty` names `CallCtx` or `PushCtx` (by the last segment of its path).
fn context_kind(ty: &Type) -> Option<Kind> {
    let Type::Path(path) = ty else {
        return None;
    };
    let last = path.path.segments.last()?;
    if path.qself.is_some() || !last.arguments.is_none() {
        return None;
    }
    if last.ident == "CallCtx" {
        Some(Kind::Call)
    } else if last.ident == "PushCtx" {
        Some(Kind::Push)
    } else {
        None
    }
}

/// `R` if `ty` is `Result<R, ...>` (or an alias named `Result` whose first argument is `R`).
fn result_ok(ty: &Type) -> Option<&Type> {
    let Type::Path(path) = ty else {
        return None;
    };
    let last = path.path.segments.last()?;
    if path.qself.is_some() || last.ident != "Result" {
        return None;
    }
    let PathArguments::AngleBracketed(arguments) = &last.arguments else {
        return None;
    };
    match arguments.args.first()? {
        GenericArgument::Type(ok) => Some(ok),
        _ => None,
    }
}

/// The name of the argument `pat` binds, when it is a plain name not starting with `_`, else
/// `arg`.
fn arg_name(pat: &Pat) -> Ident {
    match pat {
        Pat::Ident(binding)
            if binding.subpat.is_none() && !binding.ident.to_string().starts_with('_') =>
        {
            binding.ident.clone()
        }
        _ => format_ident!("arg"),
    }
}

/// The attributes of `attrs` named `name`.
fn attributes(attrs: &[Attribute], name: &str) -> Vec<Attribute> {
    attrs
        .iter()
        .filter(|attribute| attribute.path().is_ident(name))
        .cloned()
        .collect()
}
