//! [`Extensions`]: typed values attached to a session, one per type.

use std::any::{type_name, Any};
use std::sync::Arc;

use telerpc_socket::Attributes;

/// A typed slot per type in a session's [`Attributes`]: how a tier above the router (the
/// peer, a plugin, an application) hangs its own handle on each session and finds it again
/// from any handler.
///
/// A value of type `T` is stored in the attributes under the key `std::any::type_name::<T>()`
/// and read back with its type, so two tiers never see each other's values, and a string key
/// that happens to spell a type's name cannot be mistaken for the value (the type check fails
/// and `None` is returned). The values live as long as the session's attributes: across
/// reconnects, until the session is dropped.
///
/// Set it where the session is made (for example in
/// [`EventListener::on_open`](telerpc_session::EventListener::on_open), or right after
/// [`SessionBuilder::start`](telerpc_session::SessionBuilder::start)); read it in a handler
/// through [`MessageCtx::extension`](crate::MessageCtx::extension), which is
/// `ctx.session().attributes().extension::<T>()`.
///
/// ```
/// use telerpc_router::Extensions;
/// use telerpc_socket::Attributes;
///
/// #[derive(Debug, PartialEq)]
/// struct PeerName(&'static str);
///
/// let attributes = Attributes::new();
/// assert!(attributes.insert_extension(PeerName("alpha")).is_none());
/// assert_eq!(*attributes.extension::<PeerName>().unwrap(), PeerName("alpha"));
/// assert!(attributes.extension::<u32>().is_none());
/// assert!(attributes.remove_extension::<PeerName>().is_some());
/// assert!(attributes.extension::<PeerName>().is_none());
/// ```
pub trait Extensions {
    /// The value of type `T`, if one is stored.
    fn extension<T: Any + Send + Sync>(&self) -> Option<Arc<T>>;

    /// Stores `value` as the value of type `T` and returns the one it replaces.
    fn insert_extension<T: Any + Send + Sync>(&self, value: T) -> Option<Arc<T>>;

    /// Removes the value of type `T` and returns it.
    fn remove_extension<T: Any + Send + Sync>(&self) -> Option<Arc<T>>;
}

impl Extensions for Attributes {
    fn extension<T: Any + Send + Sync>(&self) -> Option<Arc<T>> {
        self.get::<T>(type_name::<T>())
    }

    fn insert_extension<T: Any + Send + Sync>(&self, value: T) -> Option<Arc<T>> {
        self.insert(type_name::<T>(), value)?.downcast().ok()
    }

    fn remove_extension<T: Any + Send + Sync>(&self) -> Option<Arc<T>> {
        let value = self.extension::<T>()?;
        self.remove(type_name::<T>());
        Some(value)
    }
}
