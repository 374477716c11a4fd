//! [`NoOp`]: a plugin that implements no hook, to measure what attaching plugins costs.
//!
//! Every hook of [`Plugin`] has a default that does nothing; [`NoOp`] keeps them all and only
//! names itself. Attached to a peer or a router, it changes nothing a message does, yet every
//! hook point it is attached at now walks a non-empty plugin list and makes a dynamic call
//! per hook (and the router builds the reply hooks' message). That is what the benchmark
//! attaches, N at a time, to measure the fixed cost of plugins against a run without any: an
//! empty [`Plugins`](crate::Plugins) list costs one length check per hook.
//!
//! eRPC has no such plugin; it is a measuring tool, and a template for a new plugin.
//!
//! ```
//! use std::sync::Arc;
//! use telerpc_plugin::noop::NoOp;
//! use telerpc_plugin::Plugin;
//!
//! let plugin: Arc<dyn Plugin> = Arc::new(NoOp);
//! assert_eq!(plugin.name(), "noop");
//! let router = telerpc_router::Router::new().plugin(plugin);
//! # drop(router);
//! ```

use crate::Plugin;

/// A plugin whose every hook is the trait's default: it passes every message, connection and
/// route through untouched and never refuses. Its name is `"noop"`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct NoOp;

impl Plugin for NoOp {
    fn name(&self) -> &str {
        "noop"
    }
}
