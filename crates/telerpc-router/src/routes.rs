//! [`Routes`]: routes being registered under one prefix, with their group's middleware.

use std::fmt;
use std::sync::Arc;

use crate::call_handler::erase_call;
use crate::push_handler::erase_push;
use crate::route::{CallEndpoint, PushEndpoint, Registration};
use telerpc_session::{Plugin, Plugins};

use crate::{CallHandler, Middleware, NameStyle, PushHandler, Service};

/// A group of routes being registered: a path prefix, the group's own middleware, and the
/// routes added so far. What [`Router::group`](crate::Router::group) hands its closure, what a
/// [`Service`] registers into, and what [`group`](Self::group) nests.
///
/// - **Prefix.** A route's service method is the group's prefix followed by the route's path,
///   as they are: `group("/v1", |g| g.call("/add", add))` serves `/v1/add`. Nested groups
///   add up their prefixes. (Choose prefixes that fit the [`NameStyle`]: `/v1` for HTTP style,
///   `v1.` for RPC style.)
/// - **Middleware.** What [`layer`](Self::layer) adds wraps this group's routes, nested groups
///   included, and no other route; see [`Middleware`] for the order.
/// - The routes reach the router's table when the group's closure returns; a route that
///   cannot be registered panics then (see [`Router`](crate::Router)).
#[must_use = "routes are registered when the group returns them"]
pub struct Routes {
    prefix: String,
    style: NameStyle,
    middleware: Vec<Arc<dyn Middleware>>,
    plugins: Plugins,
    calls: Vec<Registration<CallEndpoint>>,
    pushes: Vec<Registration<PushEndpoint>>,
}

impl Routes {
    /// An empty group whose service methods start with `prefix`, named in `style`.
    pub(crate) fn new(prefix: String, style: NameStyle) -> Self {
        Self {
            prefix,
            style,
            middleware: Vec::new(),
            plugins: Plugins::new(),
            calls: Vec::new(),
            pushes: Vec::new(),
        }
    }

    /// Routes CALLs to the group's prefix followed by `path` to `handler` (see
    /// [`CallHandler`]).
    pub fn call<M>(mut self, path: &str, handler: impl CallHandler<M>) -> Self {
        self.calls.push(Registration {
            service_method: self.full(path),
            middleware: Vec::new(),
            plugins: Plugins::new(),
            endpoint: erase_call(handler),
        });
        self
    }

    /// Routes PUSHes to the group's prefix followed by `path` to `handler` (see
    /// [`PushHandler`]).
    pub fn push<M>(mut self, path: &str, handler: impl PushHandler<M>) -> Self {
        self.pushes.push(Registration {
            service_method: self.full(path),
            middleware: Vec::new(),
            plugins: Plugins::new(),
            endpoint: erase_push(handler),
        });
        self
    }

    /// Adds a middleware around every route of this group, inside the middleware added
    /// before it.
    pub fn layer(mut self, middleware: impl Middleware) -> Self {
        self.middleware.push(Arc::new(middleware));
        self
    }

    /// Adds a plugin to this group: its read hooks run on the messages of this group's routes
    /// (nested groups included) after the router's plugins, its
    /// [`pre_write_reply`](telerpc_session::Plugin::pre_write_reply) and
    /// [`post_write_reply`](telerpc_session::Plugin::post_write_reply) on their replies before
    /// the router's, and its [`post_reg`](telerpc_session::Plugin::post_reg) on each of them
    /// as the group returns.
    pub fn plugin(mut self, plugin: Arc<dyn Plugin>) -> Self {
        self.plugins = self.plugins.with(plugin);
        self
    }

    /// Adds a nested group: the routes `build` adds to it serve this group's prefix followed
    /// by `prefix` and its own path, inside this group's middleware and the nested group's.
    pub fn group(mut self, prefix: &str, build: impl FnOnce(Routes) -> Routes) -> Self {
        let nested = build(Routes::new(self.full(prefix), self.style));
        self.adopt(nested);
        self
    }

    /// Adds the routes of a controller (see [`Service`]), in a group of their own under this
    /// group's prefix. To register a controller already shared behind an `Arc`, call its
    /// [`register`](Service::register) in a group: `g.group("", |g| Arc::clone(&math).register(g))`.
    pub fn service<S: Service>(mut self, service: S) -> Self {
        let own = Arc::new(service).register(Routes::new(self.prefix.clone(), self.style));
        self.adopt(own);
        self
    }

    /// The prefix of this group's service methods, the prefixes of enclosing groups included.
    pub fn prefix(&self) -> &str {
        &self.prefix
    }

    /// The style service methods are named in (see [`Router::name_style`](crate::Router::name_style)).
    pub fn style(&self) -> NameStyle {
        self.style
    }

    /// The path, relative to this group, of the method `method` of the controller type
    /// `type_name`, both Rust names, in this group's [`style`](Self::style): what a
    /// [`Service`] passes to [`call`](Self::call) and [`push`](Self::push) (see
    /// [`NameStyle::rust_service_method`]). `("Math", "add_num")` gives `/math/add_num` in
    /// HTTP style and `Math.AddNum` in RPC style.
    pub fn service_method(&self, type_name: &str, method: &str) -> String {
        self.style.rust_service_method(type_name, method)
    }

    /// The routes registered, each with this group's middleware outside its own.
    pub(crate) fn finish(
        self,
    ) -> (
        Vec<Registration<CallEndpoint>>,
        Vec<Registration<PushEndpoint>>,
    ) {
        let Self {
            middleware,
            plugins,
            mut calls,
            mut pushes,
            ..
        } = self;
        if !middleware.is_empty() || !plugins.is_empty() {
            for registration in &mut calls {
                adopt(&middleware, &plugins, registration);
            }
            for registration in &mut pushes {
                adopt(&middleware, &plugins, registration);
            }
        }
        (calls, pushes)
    }

    /// Takes the routes of a nested group.
    fn adopt(&mut self, nested: Routes) {
        let (calls, pushes) = nested.finish();
        self.calls.extend(calls);
        self.pushes.extend(pushes);
    }

    /// The service method of `path` in this group.
    fn full(&self, path: &str) -> String {
        format!("{}{path}", self.prefix)
    }
}

/// Puts a group's `middleware` and `plugins` outside those of `registration`, and lets the
/// plugins' [`post_reg`](telerpc_session::Plugin::post_reg) see (and rename) its route.
fn adopt<E>(
    middleware: &[Arc<dyn Middleware>],
    plugins: &Plugins,
    registration: &mut Registration<E>,
) {
    registration
        .middleware
        .splice(0..0, middleware.iter().cloned());
    registered(plugins, &mut registration.service_method);
    registration.plugins = plugins.then(&registration.plugins);
}

/// Runs the [`post_reg`](telerpc_session::Plugin::post_reg) hooks of `plugins` on a route's
/// `service_method`; a refusal panics, as for any route that cannot be registered.
pub(crate) fn registered(plugins: &Plugins, service_method: &mut String) {
    if let Err(status) = plugins.each(|plugin| plugin.post_reg(service_method)) {
        panic!("a plugin refused the route {service_method}: {status}");
    }
}

impl fmt::Debug for Routes {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Routes")
            .field("prefix", &self.prefix)
            .field("style", &self.style)
            .field("middleware", &self.middleware.len())
            .field("plugins", &self.plugins)
            .field("calls", &names(&self.calls))
            .field("pushes", &names(&self.pushes))
            .finish()
    }
}

/// The service methods of `registrations`.
fn names<E>(registrations: &[Registration<E>]) -> Vec<&str> {
    registrations
        .iter()
        .map(|registration| registration.service_method.as_str())
        .collect()
}
