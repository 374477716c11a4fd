//! [`Attributes`]: values attached to one socket by the code that uses it.

use std::any::Any;
use std::collections::HashMap;
use std::fmt;
use std::sync::{Arc, PoisonError, RwLock, RwLockReadGuard, RwLockWriteGuard};

/// One attribute value: any shareable type, type-erased.
pub type Attribute = Arc<dyn Any + Send + Sync>;

/// Per-socket attributes: a string-keyed map of values of any type (eRPC's `Swap`).
///
/// Handlers and plugins of the tiers above store what they learn about a connection here, for
/// example the authenticated user. The map is shared by every holder of the socket's
/// [`SocketInfo`](crate::SocketInfo), so a value inserted through the reader half is seen
/// through the writer half.
///
/// - Values are read back with their type: [`get::<T>`](Self::get) returns `None` both when
///   the key is absent and when the stored value is not a `T`.
/// - Access goes through a `std::sync::RwLock` held only for the map operation; a lock
///   poisoned by a panic elsewhere is recovered, since every operation leaves the map whole.
/// - Nothing is allocated until the first [`insert`](Self::insert), so idle sockets without
///   attributes pay only for the empty map.
///
/// ```
/// use telerpc_socket::Attributes;
///
/// let attributes = Attributes::new();
/// attributes.insert("user", String::from("ada"));
/// assert_eq!(attributes.get::<String>("user").as_deref().map(String::as_str), Some("ada"));
/// assert!(attributes.get::<u32>("user").is_none());
/// assert!(attributes.remove("user").is_some());
/// assert!(attributes.is_empty());
/// ```
#[derive(Default)]
pub struct Attributes {
    map: RwLock<HashMap<String, Attribute>>,
}

impl Attributes {
    /// An empty map. Allocates nothing.
    pub fn new() -> Self {
        Self::default()
    }

    /// The value under `key` if there is one and it is a `T`.
    pub fn get<T: Any + Send + Sync>(&self, key: &str) -> Option<Arc<T>> {
        self.get_any(key)?.downcast().ok()
    }

    /// The value under `key`, whatever its type.
    pub fn get_any(&self, key: &str) -> Option<Attribute> {
        self.read().get(key).cloned()
    }

    /// Stores `value` under `key` and returns the value it replaces.
    pub fn insert<T: Any + Send + Sync>(
        &self,
        key: impl Into<String>,
        value: T,
    ) -> Option<Attribute> {
        self.insert_shared(key, Arc::new(value))
    }

    /// Stores an already shared value under `key` and returns the value it replaces.
    pub fn insert_shared(&self, key: impl Into<String>, value: Attribute) -> Option<Attribute> {
        self.write().insert(key.into(), value)
    }

    /// Removes the value under `key` and returns it.
    pub fn remove(&self, key: &str) -> Option<Attribute> {
        self.write().remove(key)
    }

    /// Whether a value is stored under `key`, whatever its type.
    pub fn contains(&self, key: &str) -> bool {
        self.read().contains_key(key)
    }

    /// The number of values stored.
    pub fn len(&self) -> usize {
        self.read().len()
    }

    /// Whether no value is stored.
    pub fn is_empty(&self) -> bool {
        self.read().is_empty()
    }

    fn read(&self) -> RwLockReadGuard<'_, HashMap<String, Attribute>> {
        self.map.read().unwrap_or_else(PoisonError::into_inner)
    }

    fn write(&self) -> RwLockWriteGuard<'_, HashMap<String, Attribute>> {
        self.map.write().unwrap_or_else(PoisonError::into_inner)
    }
}

impl fmt::Debug for Attributes {
    /// Lists the keys; the values are type-erased.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_set().entries(self.read().keys()).finish()
    }
}
