//! [`IgnoreCase`]: service methods matched whatever their case, as eRPC's `ignorecase` plugin.
//!
//! The plugin lowercases both sides of the match: every route's service method when it is
//! registered ([`post_reg`](Plugin::post_reg)), and the path of every CALL and PUSH that
//! arrives ([`post_read_call_header`](Plugin::post_read_call_header),
//! [`post_read_push_header`](Plugin::post_read_push_header)), before the router looks it up.
//! `/Math/Add` registered is then reached as `/math/add`, `/MATH/ADD` or `/Math/Add`.
//!
//! **eRPC semantics.** eRPC's plugin lowercases the handler's name in `PostReg` and the URI
//! path in `PostReadCallHeader` and `PostReadPushHeader`, leaving the query untouched; so does
//! this one: the part of the service method from the first `?` on (the
//! [query](telerpc_router::MessageCtx::query)) keeps its case, so `/MATH/ADD?X=1` is routed to
//! `/math/add` with the query `X=1`.
//!
//! **ASCII only.** Lowercasing is [ASCII lowercasing](str::make_ascii_lowercase): `A`–`Z`
//! become `a`–`z` and every other character, non-ASCII letters included, is kept as it is.
//! (eRPC's `strings.ToLower` also folds non-ASCII letters, which may change a name's length in
//! bytes; ASCII lowercasing never does, so a service method stays within the 255 bytes a frame
//! carries.) Two names that differ only in the case of non-ASCII letters are two routes.
//!
//! **Attach it to the [`Router`](telerpc_router::Router)** with
//! [`Router::plugin`](telerpc_router::Router::plugin): the router runs its `post_reg` on the
//! routes registered before and after it, and its read hooks before it looks a message's route
//! up. On a peer alone (`PeerConfig::with_plugin`) `post_reg` never runs, so the incoming paths
//! would be lowercased but the routes would not: a route with capitals would become
//! unreachable. On a group (`Routes::plugin`) the read hooks run after the lookup, too late.
//!
//! **Collisions.** Two routes of one kind whose service methods differ only in case, such as
//! `/Math/Add` and `/math/add`, become the same route: the router panics with its
//! duplicate-route message ("the call route \"/math/add\" is registered twice") when the second
//! is registered, or when the plugin is added to a router holding both.
//!
//! ```
//! use std::sync::Arc;
//! use telerpc_plugin::ignorecase::IgnoreCase;
//! use telerpc_router::{CallCtx, Router};
//! use telerpc_socket::Status;
//!
//! async fn add(_ctx: CallCtx, numbers: Vec<i64>) -> Result<i64, Status> {
//!     Ok(numbers.iter().sum())
//! }
//!
//! let router = Router::new()
//!     .plugin(Arc::new(IgnoreCase))
//!     .call("/Math/Add", add);
//! assert_eq!(router.call_paths().collect::<Vec<_>>(), ["/math/add"]);
//! ```

use telerpc_session::{Plugin, Session};
use telerpc_socket::{Message, Status};

/// The plugin that makes routing case-insensitive: it lowercases (ASCII) every route's service
/// method as it is registered, and the path of every CALL and PUSH that arrives, its query
/// string excepted. See the [module documentation](self) for where to attach it and what
/// collides.
///
/// Its hooks never refuse anything.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct IgnoreCase;

impl Plugin for IgnoreCase {
    /// `"ignorecase"`.
    fn name(&self) -> &str {
        "ignorecase"
    }

    /// Lowercases the route's service method (ASCII).
    fn post_reg(&self, service_method: &mut String) -> Result<(), Status> {
        service_method.make_ascii_lowercase();
        Ok(())
    }

    /// Lowercases the CALL's path (ASCII), keeping its query string as it is.
    fn post_read_call_header(&self, _: &Session, call: &mut Message) -> Result<(), Status> {
        lowercase_path(call);
        Ok(())
    }

    /// Lowercases the PUSH's path (ASCII), keeping its query string as it is.
    fn post_read_push_header(&self, _: &Session, push: &mut Message) -> Result<(), Status> {
        lowercase_path(push);
        Ok(())
    }
}

/// Lowercases (ASCII) the path of `message`'s service method: the part before its first `?`.
/// A path already in lowercase is left alone, without allocating.
fn lowercase_path(message: &mut Message) {
    if let Some(lowered) = lowercased_path(&message.service_method) {
        message.service_method = lowered.into();
    }
}

/// `service_method` with its path (the part before its first `?`) lowercased (ASCII) and the
/// rest as it is, or `None` if the path has no ASCII capital.
fn lowercased_path(service_method: &str) -> Option<String> {
    let path_len = service_method.find('?').unwrap_or(service_method.len());
    let (path, query) = service_method.split_at(path_len);
    if !path.bytes().any(|byte| byte.is_ascii_uppercase()) {
        return None;
    }
    let mut lowered = path.to_ascii_lowercase();
    lowered.push_str(query);
    Some(lowered)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lowercases_the_path_and_keeps_the_query() {
        assert_eq!(lowercased_path("/Math/Add").as_deref(), Some("/math/add"));
        assert_eq!(
            lowercased_path("/MATH/ADD?X=1&y=Z").as_deref(),
            Some("/math/add?X=1&y=Z")
        );
        assert_eq!(
            lowercased_path("Hello.Say?A?B").as_deref(),
            Some("hello.say?A?B")
        );
    }

    #[test]
    fn leaves_lowercase_paths_and_non_ascii_letters_alone() {
        assert_eq!(lowercased_path("/math/add?X=1"), None);
        assert_eq!(lowercased_path(""), None);
        assert_eq!(lowercased_path("?ONLY=QUERY"), None);
        assert_eq!(lowercased_path("/ÄRGER"), Some(String::from("/Ärger")));
        assert_eq!(lowercased_path("/Ärger"), None);
    }

    #[test]
    fn lowercasing_keeps_the_length_in_bytes() {
        for name in ["/ÄÖÜ/İstanbul", "/ẞ/Σ", "/Math/Add?Q=Ä"] {
            let lowered = lowercased_path(name).unwrap_or_else(|| name.to_owned());
            assert_eq!(lowered.len(), name.len(), "{name}");
        }
    }

    #[test]
    fn the_message_gets_the_lowered_name() {
        let mut call = Message::new(telerpc_socket::MessageType::Call, 1, "/A/B?C=D");
        lowercase_path(&mut call);
        assert_eq!(&*call.service_method, "/a/b?C=D");
    }

    #[test]
    fn registration_lowercases_the_whole_name() {
        let mut name = String::from("/Math/Add");
        assert_eq!(IgnoreCase.post_reg(&mut name), Ok(()));
        assert_eq!(name, "/math/add");
    }
}
