//! Deadline arithmetic: when a call expires, and how the time left travels to the callee.

use std::time::Duration;

use tokio::time::Instant;

/// The meta key that carries a CALL's time left to the callee: relative milliseconds in
/// decimal, such as `X-Timeout-Ms=1500`.
///
/// The caller writes it from its deadline when it encodes the CALL (rounded up to a whole
/// millisecond, so a live call never reads as expired). The callee adds it to the instant the
/// CALL arrived: that is the deadline its handler sees ([`Request::deadline`]) and past which
/// the session stops the handler and answers 408. A relative time needs no synchronised
/// clocks. A CALL without the key, or with a value that is not decimal digits, has no
/// deadline on the callee's side (as from an eRPC peer, which never sends it).
///
/// [`Request::deadline`]: crate::Request::deadline
pub const TIMEOUT_META_KEY: &str = "X-Timeout-Ms";

/// The furthest a deadline reaches: one year. Longer timeouts are clamped to it, so deadline
/// arithmetic never overflows.
pub(crate) const MAX_TIMEOUT: Duration = Duration::from_secs(365 * 24 * 60 * 60);

/// The deadline `timeout` after `now`, the timeout clamped to [`MAX_TIMEOUT`].
pub(crate) fn deadline_after(now: Instant, timeout: Duration) -> Instant {
    now + timeout.min(MAX_TIMEOUT)
}

/// The [`TIMEOUT_META_KEY`] value for a call due at `deadline`, seen at `now`: the time left
/// in whole milliseconds, rounded up; `0` once it has passed.
pub(crate) fn encode_time_left(now: Instant, deadline: Instant) -> String {
    let left = deadline.saturating_duration_since(now);
    left.as_nanos().div_ceil(1_000_000).to_string()
}

/// The deadline a callee reads from a [`TIMEOUT_META_KEY`] value received at `now`, or `None`
/// when the value is not decimal digits.
pub(crate) fn decode_time_left(value: &str, now: Instant) -> Option<Instant> {
    if value.is_empty() || !value.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let millis = value.parse::<u64>().unwrap_or(u64::MAX);
    Some(deadline_after(now, Duration::from_millis(millis)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn time_left_rounds_up_to_whole_milliseconds() {
        let now = Instant::now();
        let ms = Duration::from_millis;
        assert_eq!(encode_time_left(now, now + ms(1500)), "1500");
        assert_eq!(
            encode_time_left(now, now + Duration::from_micros(1)),
            "1",
            "a live call never reads as expired"
        );
        assert_eq!(encode_time_left(now, now), "0");
        assert_eq!(encode_time_left(now + ms(5), now), "0", "past deadlines");
    }

    #[test]
    fn the_callee_adds_the_time_left_to_the_arrival() {
        let now = Instant::now();
        assert_eq!(
            decode_time_left("250", now),
            Some(now + Duration::from_millis(250))
        );
        assert_eq!(decode_time_left("0", now), Some(now));
    }

    #[test]
    fn values_that_are_not_decimal_digits_give_no_deadline() {
        let now = Instant::now();
        for bad in ["", "-5", "+5", "1.5", "12ms", " 12", "0x10"] {
            assert_eq!(decode_time_left(bad, now), None, "{bad:?}");
        }
    }

    #[test]
    fn huge_values_are_clamped_instead_of_overflowing() {
        let now = Instant::now();
        let huge = "99999999999999999999999999";
        assert_eq!(decode_time_left(huge, now), Some(now + MAX_TIMEOUT));
        assert_eq!(
            decode_time_left(&u64::MAX.to_string(), now),
            Some(now + MAX_TIMEOUT)
        );
        assert_eq!(deadline_after(now, Duration::MAX), now + MAX_TIMEOUT);
    }
}
