//! [`RedialPolicy`]: whether, how often and how patiently a dialed session redials.

use std::time::Duration;

use super::backoff::{Backoff, Jitter};

/// How many times a dialed session dials again after its connection is lost.
///
/// eRPC's `RedialTimes` is an `i32` read as: `-1` (any negative) redial for ever, `0` never
/// redial, `n > 0` up to `n` dials per disconnect; [`from_redial_times`](Self::from_redial_times)
/// reads it that way.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RedialAttempts {
    /// Up to this many dials after each disconnect; `Limited(0)` never redials.
    Limited(u32),
    /// Dial until a connection is made or the session is closed.
    Unlimited,
}

impl RedialAttempts {
    /// eRPC's `RedialTimes`: negative is unlimited, 0 is off, `n` is up to `n` dials.
    pub fn from_redial_times(times: i32) -> Self {
        match u32::try_from(times) {
            Ok(limit) => Self::Limited(limit),
            Err(_) => Self::Unlimited,
        }
    }

    /// Whether dial number `attempt` (counting from 0) after a disconnect may be made.
    pub fn allows(&self, attempt: u32) -> bool {
        match self {
            Self::Limited(limit) => attempt < *limit,
            Self::Unlimited => true,
        }
    }
}

/// Whether a dialed session reconnects after losing its connection, how many times, and how
/// long it waits between dials.
///
/// After a disconnect, the first dial is made at once; dial `k + 1` follows a failed dial `k`
/// (counting from 0) after [`backoff`](Self::backoff)`.delay(k)`. The count starts over after
/// every successful redial.
///
/// | setting | default |
/// |---|---|
/// | [`attempts`](Self::attempts) | [`RedialAttempts::Limited(0)`](RedialAttempts::Limited): off, as eRPC |
/// | [`backoff`](Self::backoff) | [`RedialPolicy::DEFAULT_BACKOFF`]: 100 ms doubling to 10 s, equal jitter |
///
/// eRPC redials at a fixed `RedialInterval` (100 ms by default); a backoff with multiplier 1
/// and no jitter reproduces it.
///
/// ```
/// use std::time::Duration;
/// use telerpc_session::endpoint::{Backoff, RedialAttempts, RedialPolicy};
///
/// let erpc_like = RedialPolicy::from_redial_times(3)
///     .with_backoff(Backoff::new(Duration::from_millis(100), Duration::from_millis(100)));
/// assert_eq!(erpc_like.attempts(), RedialAttempts::Limited(3));
/// assert!(erpc_like.is_enabled());
/// assert!(!RedialPolicy::default().is_enabled());
/// assert_eq!(RedialPolicy::from_redial_times(-1), RedialPolicy::unlimited());
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RedialPolicy {
    attempts: RedialAttempts,
    backoff: Backoff,
}

impl Default for RedialPolicy {
    /// Off, with [`DEFAULT_BACKOFF`](Self::DEFAULT_BACKOFF) for when it is turned on.
    fn default() -> Self {
        Self::off()
    }
}

impl RedialPolicy {
    /// The backoff between redials unless another is set: 100 ms doubling up to 10 s, with
    /// equal jitter.
    pub const DEFAULT_BACKOFF: Backoff =
        Backoff::new(Duration::from_millis(100), Duration::from_secs(10))
            .with_jitter(Jitter::Equal);

    /// Never redial: a lost connection closes the session.
    pub const fn off() -> Self {
        Self::limited(0)
    }

    /// Up to `attempts` dials after each disconnect; 0 is [`off`](Self::off).
    pub const fn limited(attempts: u32) -> Self {
        Self {
            attempts: RedialAttempts::Limited(attempts),
            backoff: Self::DEFAULT_BACKOFF,
        }
    }

    /// Dial until a connection is made or the session is closed.
    pub const fn unlimited() -> Self {
        Self {
            attempts: RedialAttempts::Unlimited,
            backoff: Self::DEFAULT_BACKOFF,
        }
    }

    /// eRPC's `RedialTimes`: negative is [`unlimited`](Self::unlimited), 0 is
    /// [`off`](Self::off), `n` is [`limited(n)`](Self::limited).
    pub fn from_redial_times(times: i32) -> Self {
        Self {
            attempts: RedialAttempts::from_redial_times(times),
            backoff: Self::DEFAULT_BACKOFF,
        }
    }

    /// Sets the backoff between failed dials.
    pub const fn with_backoff(mut self, backoff: Backoff) -> Self {
        self.backoff = backoff;
        self
    }

    /// How many dials follow a disconnect.
    pub fn attempts(&self) -> RedialAttempts {
        self.attempts
    }

    /// The backoff between failed dials.
    pub fn backoff(&self) -> Backoff {
        self.backoff
    }

    /// Whether a lost connection is redialed at all.
    pub fn is_enabled(&self) -> bool {
        self.attempts.allows(0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_erpc_redial_times() {
        assert_eq!(
            RedialAttempts::from_redial_times(-1),
            RedialAttempts::Unlimited
        );
        assert_eq!(
            RedialAttempts::from_redial_times(i32::MIN),
            RedialAttempts::Unlimited
        );
        assert_eq!(
            RedialAttempts::from_redial_times(0),
            RedialAttempts::Limited(0)
        );
        assert_eq!(
            RedialAttempts::from_redial_times(5),
            RedialAttempts::Limited(5)
        );
    }

    #[test]
    fn counts_attempts() {
        let three = RedialAttempts::Limited(3);
        assert!(three.allows(0) && three.allows(2));
        assert!(!three.allows(3));
        assert!(!RedialAttempts::Limited(0).allows(0));
        assert!(RedialAttempts::Unlimited.allows(u32::MAX));
    }

    #[test]
    fn enabled_unless_zero() {
        assert!(!RedialPolicy::off().is_enabled());
        assert!(!RedialPolicy::from_redial_times(0).is_enabled());
        assert!(RedialPolicy::limited(1).is_enabled());
        assert!(RedialPolicy::from_redial_times(-1).is_enabled());
        assert_eq!(RedialPolicy::default(), RedialPolicy::off());
    }

    #[test]
    fn keeps_the_backoff() {
        let backoff = Backoff::new(Duration::from_millis(1), Duration::from_millis(2));
        let policy = RedialPolicy::limited(2).with_backoff(backoff);
        assert_eq!(policy.backoff(), backoff);
        assert_eq!(
            RedialPolicy::unlimited().backoff(),
            RedialPolicy::DEFAULT_BACKOFF
        );
    }
}
