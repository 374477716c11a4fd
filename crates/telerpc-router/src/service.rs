//! [`Service`]: a controller that registers its own routes.

use std::sync::Arc;

use crate::Routes;

/// A controller: a type whose methods are handlers, registering them itself. This is what the
/// controller macro generates for an `impl` block, and what a hand-written controller
/// implements; [`Router::service`](crate::Router::service) and
/// [`Routes::service`](crate::Routes::service) register one.
///
/// `register` receives the routes of a group of its own (under the prefix of the router or
/// group it is registered in, with the [`NameStyle`](crate::NameStyle) in force) and returns
/// them with its routes added. Middleware it adds with [`Routes::layer`] wraps its own routes
/// only. The controller is shared by all its routes behind the `Arc`.
///
/// Service methods are named with [`Routes::service_method`], which applies eRPC's name
/// mapping to the Rust type and method names, so that a Rust controller `Math` with a method
/// `add_num` serves `/math/add_num` (or `Math.AddNum` in RPC style), as a Go controller `Math`
/// with a method `AddNum` does. A generated implementation looks like this:
///
/// ```
/// use std::sync::Arc;
/// use telerpc_router::{CallCtx, Router, Routes, Service};
/// use telerpc_socket::Status;
///
/// struct Math {
///     offset: i64,
/// }
///
/// impl Math {
///     async fn add_num(&self, _ctx: CallCtx, numbers: Vec<i64>) -> Result<i64, Status> {
///         Ok(self.offset + numbers.iter().sum::<i64>())
///     }
/// }
///
/// impl Service for Math {
///     fn register(self: Arc<Self>, routes: Routes) -> Routes {
///         let add_num = routes.service_method("Math", "add_num");
///         let this = Arc::clone(&self);
///         routes.call(&add_num, move |ctx: CallCtx, numbers: Vec<i64>| {
///             let this = Arc::clone(&this);
///             async move { this.add_num(ctx, numbers).await }
///         })
///     }
/// }
///
/// let router = Router::new().service(Math { offset: 1 });
/// assert_eq!(router.call_paths().collect::<Vec<_>>(), ["/math/add_num"]);
/// ```
pub trait Service: Send + Sync + 'static {
    /// Adds the controller's routes to `routes` and returns them.
    fn register(self: Arc<Self>, routes: Routes) -> Routes;
}
