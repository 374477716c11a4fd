//! [`Backoff`]: exponential delays between retries, capped and optionally jittered.

use std::time::Duration;

use rand::{Rng, RngExt};

/// How a [`Backoff`] randomizes each delay, so that many peers retrying at once spread out.
///
/// With `d` the capped exponential delay of an attempt:
///
/// | jitter | delay |
/// |---|---|
/// | [`None`](Self::None) | exactly `d` |
/// | [`Full`](Self::Full) | uniform in `[0, d]` |
/// | [`Equal`](Self::Equal) | `d / 2` plus uniform in `[0, d / 2]`, so in `[d / 2, d]` |
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Jitter {
    /// No randomness: the delay is the capped exponential delay itself.
    #[default]
    None,
    /// The delay is drawn uniformly between zero and the capped exponential delay.
    Full,
    /// Half the capped exponential delay is kept; the other half is drawn uniformly.
    Equal,
}

/// Exponential backoff: the delay before retry `n` (counting from 0) is
/// `initial * multiplier^n`, capped at `max`, then randomized by the [`Jitter`].
///
/// A `Backoff` is a plain, copyable configuration; [`delays`](Self::delays) starts the
/// sequence of one run of retries.
///
/// | setting | [`Backoff::new`] | [`Backoff::ACCEPT`] |
/// |---|---|---|
/// | [`initial`](Self::initial) | the argument | 5 ms |
/// | [`max`](Self::max) | the argument | 1 s |
/// | [`multiplier`](Self::multiplier) | 2 | 2 |
/// | [`jitter`](Self::jitter) | [`Jitter::None`] | [`Jitter::None`] |
///
/// Delays are computed in whole nanoseconds, so integral multipliers give exact durations.
/// An `initial` above `max` is capped like any other delay.
///
/// ```
/// use std::time::Duration;
/// use telerpc_session::endpoint::Backoff;
///
/// let ms = Duration::from_millis;
/// let delays: Vec<_> = Backoff::ACCEPT.delays().take(10).collect();
/// assert_eq!(
///     delays,
///     [ms(5), ms(10), ms(20), ms(40), ms(80), ms(160), ms(320), ms(640), ms(1000), ms(1000)]
/// );
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Backoff {
    initial: Duration,
    max: Duration,
    multiplier: f64,
    jitter: Jitter,
}

impl Backoff {
    /// eRPC's (and Go's `net/http`'s) backoff after a temporary accept error: 5 ms, doubling
    /// up to 1 s, without jitter.
    pub const ACCEPT: Backoff = Backoff::new(Duration::from_millis(5), Duration::from_secs(1));

    /// A backoff from `initial` doubling up to `max`, without jitter.
    pub const fn new(initial: Duration, max: Duration) -> Self {
        Self {
            initial,
            max,
            multiplier: 2.0,
            jitter: Jitter::None,
        }
    }

    /// Sets the factor between two successive delays. A factor below 1, or not a number, is
    /// taken as 1: the delay stays at `initial`.
    pub const fn with_multiplier(mut self, multiplier: f64) -> Self {
        self.multiplier = if multiplier >= 1.0 { multiplier } else { 1.0 };
        self
    }

    /// Sets how each delay is randomized.
    pub const fn with_jitter(mut self, jitter: Jitter) -> Self {
        self.jitter = jitter;
        self
    }

    /// The delay before the first retry, before capping and jitter.
    pub fn initial(&self) -> Duration {
        self.initial
    }

    /// The largest delay.
    pub fn max(&self) -> Duration {
        self.max
    }

    /// The factor between two successive delays, at least 1.
    pub fn multiplier(&self) -> f64 {
        self.multiplier
    }

    /// How each delay is randomized.
    pub fn jitter(&self) -> Jitter {
        self.jitter
    }

    /// The delay before retry `attempt` (counting from 0) without jitter:
    /// `min(initial * multiplier^attempt, max)`.
    pub fn base_delay(&self, attempt: u32) -> Duration {
        let max = duration_nanos(self.max);
        let exponent = i32::try_from(attempt).unwrap_or(i32::MAX);
        let grown = duration_nanos(self.initial) as f64 * self.multiplier.powi(exponent);
        // A float-to-integer `as` saturates, so an overflowing product lands on the cap.
        Duration::from_nanos((grown as u64).min(max))
    }

    /// The delay before retry `attempt` (counting from 0): [`base_delay`](Self::base_delay)
    /// randomized by the [`Jitter`] with `rng`.
    pub fn delay<R: Rng + ?Sized>(&self, attempt: u32, rng: &mut R) -> Duration {
        let base = duration_nanos(self.base_delay(attempt));
        let nanos = match self.jitter {
            Jitter::None => base,
            Jitter::Full => rng.random_range(0..=base),
            Jitter::Equal => {
                let half = base / 2;
                half + rng.random_range(0..=base - half)
            }
        };
        Duration::from_nanos(nanos)
    }

    /// The delays of one run of retries, starting at retry 0, drawn with the thread's RNG.
    pub fn delays(&self) -> Delays {
        Delays {
            backoff: *self,
            attempt: 0,
        }
    }
}

/// The delays of one run of retries of a [`Backoff`], retry 0 first: an endless iterator, or
/// [`next_delay`](Self::next_delay) one at a time.
///
/// [`reset`](Self::reset) starts over from retry 0, as after a success.
#[derive(Debug, Clone)]
pub struct Delays {
    backoff: Backoff,
    attempt: u32,
}

impl Delays {
    /// The number of delays handed out since the start or the last [`reset`](Self::reset).
    pub fn attempt(&self) -> u32 {
        self.attempt
    }

    /// Starts over: the next delay is retry 0's.
    pub fn reset(&mut self) {
        self.attempt = 0;
    }

    /// The next delay, drawn with the thread's RNG.
    pub fn next_delay(&mut self) -> Duration {
        let delay = self.backoff.delay(self.attempt, &mut rand::rng());
        self.attempt = self.attempt.saturating_add(1);
        delay
    }
}

impl Iterator for Delays {
    type Item = Duration;

    /// [`next_delay`](Delays::next_delay); never `None`.
    fn next(&mut self) -> Option<Duration> {
        Some(self.next_delay())
    }
}

/// A duration in whole nanoseconds, saturating at `u64::MAX` (about 584 years).
fn duration_nanos(duration: Duration) -> u64 {
    u64::try_from(duration.as_nanos()).unwrap_or(u64::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    const MS: fn(u64) -> Duration = Duration::from_millis;

    #[test]
    fn doubles_and_caps() {
        let backoff = Backoff::new(MS(100), MS(1000));
        let delays: Vec<_> = (0..6).map(|n| backoff.base_delay(n)).collect();
        assert_eq!(
            delays,
            [MS(100), MS(200), MS(400), MS(800), MS(1000), MS(1000)]
        );
        assert_eq!(backoff.base_delay(u32::MAX), MS(1000));
    }

    #[test]
    fn other_multipliers() {
        let triple = Backoff::new(MS(1), MS(100)).with_multiplier(3.0);
        let delays: Vec<_> = (0..6).map(|n| triple.base_delay(n)).collect();
        assert_eq!(delays, [MS(1), MS(3), MS(9), MS(27), MS(81), MS(100)]);

        for flat in [1.0, 0.5, -2.0, f64::NAN] {
            let constant = Backoff::new(MS(7), MS(100)).with_multiplier(flat);
            assert_eq!(constant.multiplier(), 1.0);
            assert_eq!(constant.base_delay(0), MS(7));
            assert_eq!(constant.base_delay(50), MS(7));
        }
    }

    #[test]
    fn initial_above_max_is_capped() {
        let backoff = Backoff::new(MS(500), MS(100));
        assert_eq!(backoff.base_delay(0), MS(100));
    }

    #[test]
    fn huge_durations_saturate() {
        let backoff = Backoff::new(Duration::MAX, Duration::MAX);
        assert_eq!(backoff.base_delay(3), Duration::from_nanos(u64::MAX));
    }

    #[test]
    fn no_jitter_is_exact() {
        let mut rng = rand::rng();
        let backoff = Backoff::new(MS(10), MS(80));
        for attempt in 0..10 {
            assert_eq!(
                backoff.delay(attempt, &mut rng),
                backoff.base_delay(attempt)
            );
        }
    }

    #[test]
    fn full_jitter_stays_within_zero_and_the_base() {
        let mut rng = rand::rng();
        let backoff = Backoff::new(MS(10), MS(80)).with_jitter(Jitter::Full);
        for attempt in 0..6 {
            let base = backoff.base_delay(attempt);
            let samples: Vec<_> = (0..2000)
                .map(|_| backoff.delay(attempt, &mut rng))
                .collect();
            assert!(samples.iter().all(|delay| *delay <= base));
            // Spread: some draws fall in the lower quarter and some in the upper quarter.
            assert!(samples.iter().any(|delay| *delay < base / 4));
            assert!(samples.iter().any(|delay| *delay > base * 3 / 4));
        }
    }

    #[test]
    fn equal_jitter_stays_within_half_and_the_base() {
        let mut rng = rand::rng();
        let backoff = Backoff::new(MS(10), MS(80)).with_jitter(Jitter::Equal);
        for attempt in 0..6 {
            let base = backoff.base_delay(attempt);
            let samples: Vec<_> = (0..2000)
                .map(|_| backoff.delay(attempt, &mut rng))
                .collect();
            assert!(samples
                .iter()
                .all(|delay| *delay >= base / 2 && *delay <= base));
            assert!(samples.iter().any(|delay| *delay < base * 5 / 8));
            assert!(samples.iter().any(|delay| *delay > base * 7 / 8));
        }
    }

    #[test]
    fn jitter_of_a_zero_delay_is_zero() {
        let mut rng = rand::rng();
        for jitter in [Jitter::Full, Jitter::Equal] {
            let backoff = Backoff::new(Duration::ZERO, Duration::ZERO).with_jitter(jitter);
            assert_eq!(backoff.delay(4, &mut rng), Duration::ZERO);
        }
    }

    #[test]
    fn delays_count_and_reset() {
        let mut delays = Backoff::ACCEPT.delays();
        assert_eq!(delays.next(), Some(MS(5)));
        assert_eq!(delays.next(), Some(MS(10)));
        assert_eq!(delays.next_delay(), MS(20));
        assert_eq!(delays.attempt(), 3);
        delays.reset();
        assert_eq!(delays.attempt(), 0);
        assert_eq!(delays.next(), Some(MS(5)));
    }

    #[test]
    fn accept_preset_matches_erpc() {
        assert_eq!(Backoff::ACCEPT.initial(), MS(5));
        assert_eq!(Backoff::ACCEPT.max(), Duration::from_secs(1));
        assert_eq!(Backoff::ACCEPT.multiplier(), 2.0);
        assert_eq!(Backoff::ACCEPT.jitter(), Jitter::None);
    }
}
