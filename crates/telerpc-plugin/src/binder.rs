//! [`Valid`]: handler arguments validated as they are decoded, eRPC's `binder` for telerpc.
//!
//! A handler takes `Valid<T>` instead of `T`, where `T` derives [`validator::Validate`]; the
//! argument is decoded as `T` is, then validated, and the handler runs only if it is valid.
//! An argument that is not is answered **400 Bad Message** with a cause naming each field at
//! fault and the rule it broke, as a body that does not decode is (the router answers every
//! decode error so):
//!
//! ```text
//! json decode: invalid argument: id: range (min = 1); name: length (min = 1)
//! ```
//!
//! **The cause.** Fields are named as `validator` names them (the Rust field name, or its
//! `rename`), nested ones by their path (`address.city`, `items[2].name`), in the order of
//! their names. Each is followed by the rule's message if the rule has one
//! (`#[validate(length(min = 1, message = "must not be empty"))]`), else by the rule's code
//! and its parameters from the definition. The rejected value itself is never quoted, and at
//! most [`MAX_FIELDS_NAMED`] fields are named, then how many more there are, so a cause stays
//! small whatever the caller sent.
//!
//! **PUSHes.** A PUSH handler may take `Valid<T>` too: an invalid PUSH is dropped (logged at
//! debug level), as one whose body does not decode.
//!
//! **eRPC semantics.** eRPC's binder is a plugin: at registration it reads the argument
//! struct's `param` tags by reflection, and after reading a CALL's body it checks the decoded
//! struct, answering 400 "Invalid Parameter" with the parameter named in the cause. Here the
//! rules are `validator`'s derive attributes, and the check runs where the typed argument
//! exists, in its decoding: no [`Plugin`](crate::Plugin) is needed, since a plugin sees only
//! the encoded body and would have to decode it a second time. eRPC's binding of fields from
//! the meta has no counterpart: read the meta from the handler's context.
//!
//! ```
//! use telerpc_plugin::binder::Valid;
//! use telerpc_router::{CallCtx, Router};
//! use telerpc_socket::Status;
//! use validator::Validate;
//!
//! #[derive(serde::Deserialize, Validate)]
//! struct Rename {
//!     #[validate(range(min = 1))]
//!     id: u64,
//!     #[validate(length(min = 1, max = 64))]
//!     name: String,
//! }
//!
//! async fn rename(_ctx: CallCtx, Valid(args): Valid<Rename>) -> Result<String, Status> {
//!     Ok(format!("{} is now {}", args.id, args.name))
//! }
//!
//! let router = Router::new().call("/user/rename", rename);
//! # drop(router);
//! ```

use std::borrow::Cow;
use std::fmt;
use std::ops::{Deref, DerefMut};

use bytes::Bytes;
use telerpc_codec::{Codec, CodecError, DecodeBody};
use validator::{Validate, ValidationError, ValidationErrors, ValidationErrorsKind};

/// The most fields an [`Invalid`] error names; the others are counted.
pub const MAX_FIELDS_NAMED: usize = 8;

/// A handler argument that is valid: a `T` decoded from the body like any argument, then
/// checked with [`Validate::validate`].
///
/// As a [`DecodeBody`] type it decodes `T` with the message's codec, then validates it: a
/// value that fails is the error [`CodecError::Decode`] whose source is an [`Invalid`]
/// naming the fields at fault, which a router answers 400 Bad Message with that error's text
/// as the cause. A body that does not decode as `T` fails as it would for `T`.
///
/// Destructure it in the handler's signature (`Valid(args): Valid<Args>`), or use it through
/// [`Deref`] or [`into_inner`](Self::into_inner).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub struct Valid<T>(pub T);

impl<T> Valid<T> {
    /// The validated value.
    pub fn into_inner(self) -> T {
        self.0
    }
}

impl<T> Deref for Valid<T> {
    type Target = T;

    fn deref(&self) -> &T {
        &self.0
    }
}

impl<T> DerefMut for Valid<T> {
    fn deref_mut(&mut self) -> &mut T {
        &mut self.0
    }
}

impl<T: DecodeBody + Validate> DecodeBody for Valid<T> {
    /// Decodes `T`, then validates it: an invalid value is [`CodecError::Decode`] with an
    /// [`Invalid`] as its source.
    fn decode_body(codec: &dyn Codec, body: Bytes) -> Result<Self, CodecError> {
        let value = T::decode_body(codec, body)?;
        match value.validate() {
            Ok(()) => Ok(Self(value)),
            Err(errors) => Err(CodecError::decode(codec.name(), Invalid::new(errors))),
        }
    }
}

/// Why a decoded argument is not valid: `validator`'s errors, displayed as
/// `invalid argument: FIELD: RULE; FIELD: RULE` (see the [module documentation](self) for
/// the wording).
#[derive(Debug, Clone, PartialEq)]
pub struct Invalid {
    errors: ValidationErrors,
}

impl Invalid {
    /// The error for `errors`.
    pub fn new(errors: ValidationErrors) -> Self {
        Self { errors }
    }

    /// The errors, as `validator` reports them.
    pub fn errors(&self) -> &ValidationErrors {
        &self.errors
    }

    /// The path of every field at fault (`id`, `address.city`, `items[2].name`), sorted.
    pub fn fields(&self) -> Vec<String> {
        let mut fields: Vec<String> = self.faults().into_iter().map(|(path, _)| path).collect();
        fields.dedup();
        fields
    }

    /// Every field at fault with each error it has, sorted by path.
    fn faults(&self) -> Vec<(String, &ValidationError)> {
        let mut faults = Vec::new();
        collect(&self.errors, "", &mut faults);
        faults.sort_by(|a, b| a.0.cmp(&b.0));
        faults
    }
}

impl fmt::Display for Invalid {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let faults = self.faults();
        f.write_str("invalid argument")?;
        if faults.is_empty() {
            return Ok(());
        }
        f.write_str(": ")?;
        let mut named = 0;
        let mut faults = faults.iter().peekable();
        while let Some((path, error)) = faults.next() {
            if named == MAX_FIELDS_NAMED {
                let more = faults.count() + 1;
                return write!(f, "; and {more} more");
            }
            if named > 0 {
                f.write_str("; ")?;
            }
            named += 1;
            write!(f, "{path}: ")?;
            describe(error, f)?;
            while let Some((_, error)) = faults.next_if(|(next, _)| next == path) {
                f.write_str(", ")?;
                describe(error, f)?;
            }
        }
        Ok(())
    }
}

impl std::error::Error for Invalid {}

/// Adds every field error of `errors` to `out`, with its path under `prefix`.
fn collect<'e>(
    errors: &'e ValidationErrors,
    prefix: &str,
    out: &mut Vec<(String, &'e ValidationError)>,
) {
    for (field, kind) in errors.errors() {
        let path = if prefix.is_empty() {
            field.to_string()
        } else {
            format!("{prefix}.{field}")
        };
        match kind {
            ValidationErrorsKind::Field(list) => {
                out.extend(list.iter().map(|error| (path.clone(), error)));
            }
            ValidationErrorsKind::Struct(inner) => collect(inner, &path, out),
            ValidationErrorsKind::List(items) => {
                for (index, inner) in items {
                    collect(inner, &format!("{path}[{index}]"), out);
                }
            }
        }
    }
}

/// Writes the rule `error` broke: its message, or its code and parameters (the rejected
/// value left out).
fn describe(error: &ValidationError, f: &mut fmt::Formatter<'_>) -> fmt::Result {
    if let Some(message) = &error.message {
        return f.write_str(message);
    }
    f.write_str(&error.code)?;
    let mut params: Vec<(&Cow<'static, str>, _)> = error
        .params
        .iter()
        .filter(|(name, _)| name.as_ref() != "value")
        .collect();
    if params.is_empty() {
        return Ok(());
    }
    params.sort_by(|a, b| a.0.cmp(b.0));
    f.write_str(" (")?;
    for (index, (name, value)) in params.into_iter().enumerate() {
        if index > 0 {
            f.write_str(", ")?;
        }
        write!(f, "{name} = {value}")?;
    }
    f.write_str(")")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn field_error(code: &'static str, params: &[(&'static str, i64)]) -> ValidationError {
        let mut error = ValidationError::new(code);
        for (name, value) in params {
            error.add_param(Cow::Borrowed(*name), value);
        }
        error
    }

    #[test]
    fn names_each_field_with_its_rule_in_order() {
        let mut errors = ValidationErrors::new();
        errors.add("name", field_error("length", &[("min", 1)]));
        errors.add("id", field_error("range", &[("min", 1), ("value", 0)]));
        let invalid = Invalid::new(errors);
        assert_eq!(
            invalid.to_string(),
            "invalid argument: id: range (min = 1); name: length (min = 1)"
        );
        assert_eq!(invalid.fields(), ["id", "name"]);
    }

    #[test]
    fn prefers_the_message_and_groups_errors_of_one_field() {
        let mut errors = ValidationErrors::new();
        errors.add(
            "name",
            ValidationError::new("length").with_message(Cow::Borrowed("must not be empty")),
        );
        errors.add("name", field_error("ascii", &[]));
        assert_eq!(
            Invalid::new(errors).to_string(),
            "invalid argument: name: must not be empty, ascii"
        );
    }

    #[test]
    fn nested_fields_are_named_by_their_path() {
        let mut inner = ValidationErrors::new();
        inner.add("city", field_error("length", &[("min", 1)]));
        let mut item = ValidationErrors::new();
        item.add("qty", field_error("range", &[("max", 9)]));
        let mut errors = ValidationErrors::new();
        errors.errors_mut().insert(
            Cow::Borrowed("address"),
            ValidationErrorsKind::Struct(Box::new(inner)),
        );
        errors.errors_mut().insert(
            Cow::Borrowed("items"),
            ValidationErrorsKind::List([(2, Box::new(item))].into_iter().collect()),
        );
        let invalid = Invalid::new(errors);
        assert_eq!(invalid.fields(), ["address.city", "items[2].qty"]);
    }

    #[test]
    fn the_text_stays_short_whatever_the_number_of_faults() {
        let mut errors = ValidationErrors::new();
        let items = (0..10_000)
            .map(|index| {
                let mut item = ValidationErrors::new();
                item.add("name", field_error("length", &[("min", 1)]));
                (index, Box::new(item))
            })
            .collect();
        errors
            .errors_mut()
            .insert(Cow::Borrowed("items"), ValidationErrorsKind::List(items));
        let text = Invalid::new(errors).to_string();
        assert!(text.len() < 512, "{text}");
        assert!(text.ends_with("; and 9992 more"), "{text}");
    }

    #[test]
    fn no_errors_still_says_invalid() {
        assert_eq!(
            Invalid::new(ValidationErrors::new()).to_string(),
            "invalid argument"
        );
    }
}
