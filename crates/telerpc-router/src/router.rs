//! [`Router`]: the table from service methods to handlers, built once.

use std::collections::hash_map::{Entry, HashMap};
use std::fmt;
use std::future::ready;
use std::sync::Arc;

use crate::call_handler::erase_call;
use crate::error::RouteError;
use crate::push_handler::erase_push;
use telerpc_session::{Plugin, Plugins};

use crate::route::{CallEndpoint, PushEndpoint, Registration, Route};
use crate::routes::registered;
use crate::{statuses, CallHandler, Middleware, NameStyle, PushHandler, Routes, Service};

/// Routes the CALLs and PUSHes of a session to typed handlers by service method: the
/// [`Handler`](telerpc_session::Handler) of the sessions (and peers) that serve them.
///
/// Build it with chained calls, then share it behind an `Arc`; once built it does not change,
/// and one router serves any number of sessions.
///
/// ```
/// use std::sync::Arc;
/// use telerpc_router::{CallCtx, PushCtx, Router};
/// use telerpc_socket::Status;
///
/// async fn add(_ctx: CallCtx, numbers: Vec<i64>) -> Result<i64, Status> {
///     Ok(numbers.iter().sum())
/// }
///
/// async fn say(_ctx: PushCtx, _text: String) -> Result<(), Status> {
///     Ok(())
/// }
///
/// let router = Arc::new(
///     Router::new()
///         .call("/math/add", add)
///         .push("/chat/say", say)
///         .group("/v1", |g| g.call("/add", add)),
/// );
/// assert_eq!(router.call_paths().count(), 2);
/// ```
///
/// **Routing.** A message is routed on its service method up to the first `?` (the rest is
/// the [query](crate::MessageCtx::query)), looked up in a hash map built as routes are
/// registered; calls and pushes have separate tables, so one name may be both. No route
/// found: the [call fallback](Self::fallback_call) (by default 404 Not Found, eRPC's exact
/// reply) or the [push fallback](Self::fallback_push) (by default, the push is dropped and
/// logged at debug level).
///
/// **Bad input** (spec §6). A body that does not decode, or an unknown codec: 400 Bad Message
/// with the decode error as the cause (a push is dropped). A query string that does not
/// decode: 400 (a push is dropped). A handler's `Err(status)`: that status, codec 0, no body.
/// A panicking handler: 500 with the panic message as the cause, the connection kept. (An
/// empty service method never reaches the router: the session answers 400.)
///
/// # Panics
///
/// Registering a route panics, as it is a programming error to be fixed before start-up, if
/// its service method is already routed for the same kind of message, is empty, is longer
/// than the 255 bytes a frame carries, or holds a `?`.
pub struct Router {
    style: NameStyle,
    pub(crate) middleware: Arc<[Arc<dyn Middleware>]>,
    pub(crate) plugins: Plugins,
    pub(crate) calls: HashMap<Box<str>, Arc<Route<CallEndpoint>>>,
    pub(crate) pushes: HashMap<Box<str>, Arc<Route<PushEndpoint>>>,
    pub(crate) fallback_call: Arc<Route<CallEndpoint>>,
    pub(crate) fallback_push: Arc<Route<PushEndpoint>>,
}

impl Router {
    /// A router without routes or middleware, naming services in HTTP style, answering every
    /// CALL 404 and dropping every PUSH.
    pub fn new() -> Self {
        Self {
            style: NameStyle::default(),
            middleware: Arc::new([]),
            plugins: Plugins::new(),
            calls: HashMap::new(),
            pushes: HashMap::new(),
            fallback_call: Arc::new(Route::bare(not_found())),
            fallback_push: Arc::new(Route::bare(drop_push())),
        }
    }

    /// Sets the style [services](Self::service) registered from now on name their routes in
    /// (default [`NameStyle::Http`]). Routes registered with an explicit path are not
    /// affected.
    pub fn name_style(mut self, style: NameStyle) -> Self {
        self.style = style;
        self
    }

    /// Routes CALLs to `service_method` to `handler` (see [`CallHandler`]).
    pub fn call<M>(self, service_method: &str, handler: impl CallHandler<M>) -> Self {
        self.group("", |routes| routes.call(service_method, handler))
    }

    /// Routes PUSHes to `service_method` to `handler` (see [`PushHandler`]).
    pub fn push<M>(self, service_method: &str, handler: impl PushHandler<M>) -> Self {
        self.group("", |routes| routes.push(service_method, handler))
    }

    /// Adds a group of routes under `prefix` with middleware of its own: `build` receives an
    /// empty [`Routes`] and returns it with routes added.
    pub fn group(mut self, prefix: &str, build: impl FnOnce(Routes) -> Routes) -> Self {
        let (calls, pushes) = build(Routes::new(prefix.to_owned(), self.style)).finish();
        for mut registration in calls {
            registered(&self.plugins, &mut registration.service_method);
            insert(&mut self.calls, "call", registration);
        }
        for mut registration in pushes {
            registered(&self.plugins, &mut registration.service_method);
            insert(&mut self.pushes, "push", registration);
        }
        self
    }

    /// Adds a plugin to the router: its read hooks run on every message the router handles
    /// (after the peer's plugins, before the groups'), its
    /// [`pre_write_reply`](telerpc_session::Plugin::pre_write_reply) and
    /// [`post_write_reply`](telerpc_session::Plugin::post_write_reply) on every reply it makes
    /// (after the groups', before the peer's), and its
    /// [`post_reg`](telerpc_session::Plugin::post_reg) on every route, those registered
    /// already and those to come (which is how a plugin may rename routes, as
    /// case-insensitive matching does).
    pub fn plugin(mut self, plugin: Arc<dyn Plugin>) -> Self {
        let only = Plugins::new().with(Arc::clone(&plugin));
        self.calls = renamed(std::mem::take(&mut self.calls), &only, "call");
        self.pushes = renamed(std::mem::take(&mut self.pushes), &only, "push");
        self.plugins = self.plugins.with(plugin);
        self
    }

    /// Adds the routes of a controller (see [`Service`]).
    pub fn service<S: Service>(self, service: S) -> Self {
        self.group("", |routes| routes.service(service))
    }

    /// Adds a middleware around every message the router handles, routes and fallbacks,
    /// outside every group's middleware and inside the router's middleware added before it
    /// (see [`Middleware`]).
    pub fn layer(mut self, middleware: impl Middleware) -> Self {
        let mut all = self.middleware.to_vec();
        all.push(Arc::new(middleware));
        self.middleware = all.into();
        self
    }

    /// Sets the handler of CALLs that no route matches (default: 404 Not Found, the reply
    /// eRPC sends). It receives the whole message like a route does; with a
    /// [`Raw`](telerpc_codec::Raw) argument it gets the body untouched, whichever codec of the
    /// registry encoded it, for example to forward the call to another peer (with
    /// [`body_codec`](crate::MessageCtx::body_codec) as the call's codec) and relay its reply
    /// (with [`set_reply_codec`](crate::CallCtx::set_reply_codec)). A codec the registry does
    /// not know is answered 400 before any handler runs, as eRPC does.
    pub fn fallback_call<M>(mut self, handler: impl CallHandler<M>) -> Self {
        self.fallback_call = Arc::new(Route::bare(erase_call(handler)));
        self
    }

    /// Sets the handler of PUSHes that no route matches (default: the push is dropped and
    /// logged at debug level). As for [`fallback_call`](Self::fallback_call), a
    /// [`Raw`](telerpc_codec::Raw) argument gets the body untouched (a codec the registry does
    /// not know drops the push).
    pub fn fallback_push<M>(mut self, handler: impl PushHandler<M>) -> Self {
        self.fallback_push = Arc::new(Route::bare(erase_push(handler)));
        self
    }

    /// The service methods of the call routes, in no particular order.
    pub fn call_paths(&self) -> impl Iterator<Item = &str> {
        self.calls.keys().map(|path| &**path)
    }

    /// The service methods of the push routes, in no particular order.
    pub fn push_paths(&self) -> impl Iterator<Item = &str> {
        self.pushes.keys().map(|path| &**path)
    }
}

impl Default for Router {
    fn default() -> Self {
        Self::new()
    }
}

/// `table` with each route's service method passed through the `post_reg` hooks of
/// `plugins` (see [`Router::plugin`]).
fn renamed<E>(
    table: HashMap<Box<str>, Arc<Route<E>>>,
    plugins: &Plugins,
    kind: &'static str,
) -> HashMap<Box<str>, Arc<Route<E>>> {
    let mut renamed = HashMap::with_capacity(table.len());
    for (service_method, route) in table {
        let mut service_method = String::from(service_method);
        registered(plugins, &mut service_method);
        insert_route(&mut renamed, kind, service_method, route);
    }
    renamed
}

/// Adds `registration` to `table`, or panics (see [`Router`]).
fn insert<E>(
    table: &mut HashMap<Box<str>, Arc<Route<E>>>,
    kind: &'static str,
    registration: Registration<E>,
) {
    let (service_method, route) = registration.into_route();
    insert_route(table, kind, service_method, Arc::new(route));
}

/// Adds `route` under `service_method` to `table`, or panics (see [`Router`]).
fn insert_route<E>(
    table: &mut HashMap<Box<str>, Arc<Route<E>>>,
    kind: &'static str,
    service_method: String,
    route: Arc<Route<E>>,
) {
    if let Err(error) = RouteError::check(kind, &service_method) {
        panic!("{error}");
    }
    match table.entry(service_method.into_boxed_str()) {
        Entry::Occupied(taken) => panic!(
            "{}",
            RouteError::Duplicate {
                kind,
                service_method: taken.key().to_string(),
            }
        ),
        Entry::Vacant(free) => {
            tracing::debug!(kind, service_method = &**free.key(), "registered a route");
            free.insert(route);
        }
    }
}

/// The default call fallback: 404.
fn not_found() -> CallEndpoint {
    Box::new(|ctx| {
        tracing::debug!(service_method = ctx.service_method(), "no route for a call");
        Box::pin(ready(Err(statuses::not_found())))
    })
}

/// The default push fallback: drops the push.
fn drop_push() -> PushEndpoint {
    Box::new(|ctx| {
        tracing::debug!(
            service_method = ctx.service_method(),
            "dropped a push: no route"
        );
        Box::pin(ready(Ok(())))
    })
}

impl fmt::Debug for Router {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Router")
            .field("style", &self.style)
            .field("middleware", &self.middleware.len())
            .field("calls", &self.calls.keys().collect::<Vec<_>>())
            .field("pushes", &self.pushes.keys().collect::<Vec<_>>())
            .finish_non_exhaustive()
    }
}
