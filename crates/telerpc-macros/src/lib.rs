//! The controller macro of telerpc: [`#[service]`](macro@service) on an impl block makes its
//! public async methods the routes of a `telerpc_router::Router`, as
//! eRPC's `RouteCall(new(Math))` does for a Go controller, and generates a typed client that
//! calls them.
//!
//! ```
//! use std::sync::Arc;
//! use telerpc_router::{CallCtx, PushCtx, Router};
//! use telerpc_session::Session;
//! use telerpc_socket::{Socket, Status};
//!
//! struct Math;
//!
//! #[telerpc_macros::service]
//! impl Math {
//!     /// Adds numbers.
//!     pub async fn add(&self, _ctx: CallCtx, args: Vec<i64>) -> Result<i64, Status> {
//!         Ok(args.iter().sum())
//!     }
//!
//!     /// Takes a note.
//!     pub async fn notify(&self, _ctx: PushCtx, text: String) -> Result<(), Status> {
//!         println!("{text}");
//!         Ok(())
//!     }
//!
//!     /// Not a service method: private, and not async.
//!     fn helper(&self) {}
//! }
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), Status> {
//! // Serves the call `/math/add` and the push `/math/notify`.
//! let router = Router::new().service(Math);
//! assert_eq!(router.call_paths().collect::<Vec<_>>(), ["/math/add"]);
//! assert_eq!(router.push_paths().collect::<Vec<_>>(), ["/math/notify"]);
//!
//! let (a, b) = tokio::io::duplex(64 * 1024);
//! let session = Session::builder().start(Socket::new(a)).await?;
//! let _server = Session::builder().handler(Arc::new(router)).start(Socket::new(b)).await?;
//!
//! let client = MathClient::new(session.clone());
//! let sum: i64 = client.add(&[1, 2, 3]).await?; // calls `/math/add`
//! assert_eq!(sum, 6);
//! client.notify("hi").await?; // pushes to `/math/notify`
//! # Ok(())
//! # }
//! ```
//!
//! # What it generates
//!
//! The impl block is kept as it is (less the `#[rename]` attributes), and two items are added
//! after it. For the example above:
//!
//! ```text
//! impl ::telerpc_router::Service for Math {
//!     fn register(
//!         self: ::std::sync::Arc<Self>,
//!         routes: ::telerpc_router::Routes,
//!     ) -> ::telerpc_router::Routes {
//!         let routes = {
//!             let this = ::std::sync::Arc::clone(&self);
//!             routes.call(
//!                 &::telerpc_router::NameStyle::Http.rust_service_method("Math", "add"),
//!                 move |ctx: ::telerpc_router::CallCtx, arg: Vec<i64>| {
//!                     let this = ::std::sync::Arc::clone(&this);
//!                     async move { Self::add(&this, ctx, arg).await }
//!                 },
//!             )
//!         };
//!         let routes = { /* the same with `routes.push` for `notify` */ };
//!         routes
//!     }
//! }
//!
//! /// The client of the `Math` service: [...]
//! #[derive(Debug, Clone)]
//! pub struct MathClient {
//!     session: ::telerpc_session::Session,
//! }
//!
//! impl MathClient {
//!     /// A client calling and pushing through `session`.
//!     pub fn new(session: ::telerpc_session::Session) -> Self { Self { session } }
//!
//!     /// The session the client calls and pushes through.
//!     pub fn session(&self) -> &::telerpc_session::Session { &self.session }
//!
//!     /// Adds numbers.
//!     ///
//!     /// Calls `Math::add` on the peer: [...]
//!     pub fn add<'a>(&'a self, args: &'a [i64]) -> ::telerpc_session::Call<'a, [i64], i64> {
//!         self.session.call(
//!             {
//!                 static SERVICE_METHOD: ::std::sync::OnceLock<::std::string::String> =
//!                     ::std::sync::OnceLock::new();
//!                 SERVICE_METHOD.get_or_init(|| {
//!                     ::telerpc_router::NameStyle::Http.rust_service_method("Math", "add")
//!                 })
//!             },
//!             args,
//!         )
//!     }
//!
//!     /// Takes a note.
//!     ///
//!     /// Pushes to `Math::notify` on the peer: [...]
//!     pub fn notify<'a>(&'a self, text: &'a str) -> ::telerpc_session::Push<'a, str> {
//!         /* the same with `self.session.push` */
//!     }
//! }
//! ```
//!
//! # Service methods
//!
//! Every **public async** method of the block (`pub async fn`, not `pub(crate)`) is a service
//! method, and must have this shape; anything else that is `pub async` is a compile error
//! pointing at what is wrong:
//!
//! ```text
//! pub async fn name(&self, ctx: CallCtx, arg: A) -> Result<R, Status>  // a call
//! pub async fn name(&self, ctx: PushCtx, arg: A) -> Result<(), Status> // a push
//! ```
//!
//! - The context says what the method answers: a `CallCtx` makes it a call, a `PushCtx` a
//!   push (they are recognised by name: the last segment of the type's path). No other marker
//!   is needed.
//! - `A` is any type the router decodes (see
//!   `telerpc_router::CallHandler`): a serde type, `Proto<T>`,
//!   `Dual<T>`, `Raw`; `()` for none. It is taken by value.
//! - `R` is any type the router encodes; `Result` may be an alias whose first parameter is
//!   `R`.
//! - The method cannot be generic, and the block cannot be either (implement `Service` by
//!   hand for a generic controller). A block without any service method is an error too.
//!
//! Methods that are not public, or not async, are left alone: helpers, constructors.
//!
//! # Names
//!
//! A service method is named as eRPC names the method of a Go controller, by the router's own
//! mapping, `NameStyle::rust_service_method`, called
//! when the routes are registered and when the client first calls: the type name and the
//! method name are read as Go names (`add_num` → `AddNum`, see
//! `go_name`) and mapped in the chosen style.
//!
//! | method | `style = "http"` (default) | `style = "rpc"` |
//! |---|---|---|
//! | `Math::add` | `/math/add` | `Math.Add` |
//! | `Math::add_num` | `/math/add_num` | `Math.AddNum` |
//! | `Math::user__get` | `/math/user/get` | `Math.User.Get` |
//!
//! `#[rename("/custom/path")]` on a service method sets its service method as written,
//! whatever the style.
//!
//! The style is the attribute's, not the router's
//! `name_style`: the service and its
//! client name the methods alike by construction. The client's names are those the service
//! serves at the root of a router; a service registered in a group (`group("/v1", ...)`) serves
//! them under the group's prefix, which the client does not know.
//!
//! # The client
//!
//! `MathClient` (the type's name followed by `Client`, public) holds a
//! `Session`, and has one method per service method,
//! with the method's name and doc comment. It takes the argument by reference (`&str` for a
//! `String`, `&[T]` for a `Vec<T>`, nothing for `()`) and returns the session's
//! `Call` or
//! `Push`: `.await` it, or set its timeout, meta or
//! codec first (`client.add(&[1, 2]).timeout(Duration::from_secs(1)).await`). The argument and
//! result types must then be encodable and decodable both; `client = false` generates no
//! client, for a service whose types only decode their arguments and encode their results.
//!
//! # Options
//!
//! `#[service(style = "rpc", crate = "telerpc", client = false)]`, each optional:
//!
//! | option | default | what it does |
//! |---|---|---|
//! | `style = "http"` or `"rpc"` | `"http"` | the `NameStyle` of the service methods and of the client |
//! | `crate = "path"` | none | the crate that re-exports the runtime crates as `path::router` and `path::session`. Without it, the generated code names `telerpc-router` and `telerpc-session` when the calling crate depends on them, else the `telerpc` facade's `router` and `session` when it depends on the facade (under whatever name it gave it) |
//! | `client = false` | `true` | generates no client |
#![forbid(unsafe_code)]

mod expand;
mod method;
mod options;

use proc_macro::TokenStream;

/// Makes an impl block a controller: implements `telerpc_router::Service` for the type,
/// registering every public async method as a call (taking a `CallCtx`) or a push (taking a
/// `PushCtx`), and generates a client, `<Type>Client`. See the [crate docs](crate) for the
/// rules, the names and the options.
///
/// A service method may be renamed with `#[rename("/custom/path")]`.
#[proc_macro_attribute]
pub fn service(args: TokenStream, item: TokenStream) -> TokenStream {
    expand::service(args.into(), item.into()).into()
}
