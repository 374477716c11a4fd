//! [`RouteError`]: a route that cannot be registered.

/// The longest service method a frame carries: its length is one byte (spec §1, field 8).
const MAX_SERVICE_METHOD: usize = u8::MAX as usize;

/// Why a route cannot be registered. Registering one is a programming error, so the router
/// panics with this error's text, at start-up, when the route is added.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub(crate) enum RouteError {
    /// Two routes of one kind with the same service method: rename one.
    #[error("the {kind} route {service_method:?} is registered twice")]
    Duplicate {
        /// `"call"` or `"push"`.
        kind: &'static str,
        /// The contested service method.
        service_method: String,
    },
    /// An empty service method: the session refuses such messages before routing.
    #[error("a {kind} route has an empty service method")]
    Empty {
        /// `"call"` or `"push"`.
        kind: &'static str,
    },
    /// A service method longer than a frame can carry.
    #[error("the {kind} route {service_method:?} is {len} bytes long, over the {MAX_SERVICE_METHOD} a frame carries")]
    TooLong {
        /// `"call"` or `"push"`.
        kind: &'static str,
        /// The service method.
        service_method: String,
        /// Its length in bytes.
        len: usize,
    },
    /// A service method with a `?`: routing ignores everything from the `?` on, so the route
    /// could never be reached.
    #[error("the {kind} route {service_method:?} holds a '?', where a query string starts")]
    Query {
        /// `"call"` or `"push"`.
        kind: &'static str,
        /// The service method.
        service_method: String,
    },
}

impl RouteError {
    /// Checks that a route of `kind` can be registered at `service_method`, duplicates
    /// aside.
    pub(crate) fn check(kind: &'static str, service_method: &str) -> Result<(), Self> {
        let owned = || service_method.to_owned();
        if service_method.is_empty() {
            Err(Self::Empty { kind })
        } else if service_method.len() > MAX_SERVICE_METHOD {
            Err(Self::TooLong {
                kind,
                service_method: owned(),
                len: service_method.len(),
            })
        } else if service_method.contains('?') {
            Err(Self::Query {
                kind,
                service_method: owned(),
            })
        } else {
            Ok(())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refuses_routes_that_no_message_can_reach() {
        assert_eq!(
            RouteError::check("call", ""),
            Err(RouteError::Empty { kind: "call" })
        );
        assert!(matches!(
            RouteError::check("push", &"a".repeat(256)),
            Err(RouteError::TooLong { len: 256, .. })
        ));
        assert!(matches!(
            RouteError::check("call", "/a?b"),
            Err(RouteError::Query { .. })
        ));
        assert_eq!(RouteError::check("call", &"a".repeat(255)), Ok(()));
        assert_eq!(RouteError::check("call", "Hello.Say"), Ok(()));
    }
}
