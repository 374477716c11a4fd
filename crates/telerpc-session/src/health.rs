//! [`Health`]: where a session is in its life.

/// The state of a [`Session`](crate::Session), from [`Session::health`](crate::Session::health).
///
/// | from | event | to |
/// |---|---|---|
/// | `Open` | [`close`](crate::Session::close) | `Closing` |
/// | `Closing` | in-flight work done, or the grace over | `Closed` |
/// | `Open`, `Closing` | the connection lost, without redial | `Closed` |
/// | `Open` | the connection lost, with [`redial`](crate::SessionBuilder::redial) | `Reconnecting` |
/// | `Reconnecting` | [`attach`](crate::Session::attach) | `Open` |
/// | `Reconnecting` | [`close`](crate::Session::close) | `Closed` |
///
/// `Closed` is final.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Health {
    /// Connected: calls and pushes are sent, inbound messages are handled.
    Open,
    /// [`close`](crate::Session::close) was called: new calls and pushes are refused with 102
    /// while in-flight work drains.
    Closing,
    /// The connection was lost and the session waits for a new one
    /// ([`attach`](crate::Session::attach)). Calls and pushes queue up meanwhile, each bounded
    /// by its deadline and by the queue's capacity.
    Reconnecting,
    /// Ended: every call and push is refused with 102.
    Closed,
}
