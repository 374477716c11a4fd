//! [`Latencies`]: the latency of every timed call in an HDR histogram, and the [`Summary`] a
//! results table is printed from.

use std::fmt;
use std::time::Duration;

use hdrhistogram::Histogram;

/// The longest latency recorded exactly, in nanoseconds: 60 s. Longer ones are recorded as
/// this.
const HIGHEST_NANOS: u64 = 60_000_000_000;

/// The latencies of successful calls, in nanoseconds with three significant digits, and the
/// number of failed calls.
#[derive(Debug, Clone)]
pub struct Latencies {
    histogram: Histogram<u64>,
    errors: u64,
}

impl Default for Latencies {
    fn default() -> Self {
        Self::new()
    }
}

impl Latencies {
    /// An empty record: 1 ns to 60 s at three significant digits.
    pub fn new() -> Self {
        let histogram = Histogram::new_with_bounds(1, HIGHEST_NANOS, 3)
            .expect("1 ns to 60 s at 3 significant digits are valid bounds");
        Self {
            histogram,
            errors: 0,
        }
    }

    /// Records a successful call that took `latency`.
    pub fn record(&mut self, latency: Duration) {
        let nanos = u64::try_from(latency.as_nanos()).unwrap_or(u64::MAX);
        self.histogram.saturating_record(nanos.max(1));
    }

    /// Records a failed call.
    pub fn record_error(&mut self) {
        self.errors += 1;
    }

    /// Adds every call of `other` to this record.
    pub fn merge(&mut self, other: &Self) {
        self.histogram
            .add(&other.histogram)
            .expect("histograms of the same bounds merge");
        self.errors += other.errors;
    }

    /// The figures of a run that made these calls in `elapsed`.
    pub fn summary(&self, elapsed: Duration) -> Summary {
        let h = &self.histogram;
        let nanos = |value: u64| Duration::from_nanos(value);
        Summary {
            calls: h.len(),
            errors: self.errors,
            elapsed,
            mean: Duration::from_nanos(h.mean().round() as u64),
            p50: nanos(h.value_at_quantile(0.5)),
            p99: nanos(h.value_at_quantile(0.99)),
            p999: nanos(h.value_at_quantile(0.999)),
            max: nanos(h.max()),
        }
    }
}

/// The figures of one timed run.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Summary {
    /// Successful calls.
    pub calls: u64,
    /// Failed calls: an error, a timeout, or a reply whose `field1` is not `"OK"`.
    pub errors: u64,
    /// The wall time of the timed run, from the first timed call to the last reply.
    pub elapsed: Duration,
    /// Mean latency of the successful calls.
    pub mean: Duration,
    /// Median latency.
    pub p50: Duration,
    /// 99th percentile latency.
    pub p99: Duration,
    /// 99.9th percentile latency.
    pub p999: Duration,
    /// The longest latency.
    pub max: Duration,
}

impl Summary {
    /// Successful calls per second of wall time.
    pub fn throughput(&self) -> f64 {
        let seconds = self.elapsed.as_secs_f64();
        if seconds > 0.0 {
            self.calls as f64 / seconds
        } else {
            0.0
        }
    }
}

/// A duration as a table shows it: µs below 10 ms, ms above.
#[derive(Debug, Clone, Copy)]
pub struct Millis(pub Duration);

impl fmt::Display for Millis {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let micros = self.0.as_secs_f64() * 1e6;
        if micros < 10_000.0 {
            write!(f, "{micros:.0} µs")
        } else {
            write!(f, "{:.1} ms", micros / 1000.0)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_summary_reads_the_merged_record() {
        let mut first = Latencies::new();
        for micros in 1..=1000 {
            first.record(Duration::from_micros(micros));
        }
        let mut second = Latencies::new();
        second.record(Duration::from_secs(2));
        second.record_error();
        first.merge(&second);

        let summary = first.summary(Duration::from_millis(500));
        assert_eq!((summary.calls, summary.errors), (1001, 1));
        assert_eq!(summary.throughput(), 2002.0);
        // Three significant digits: within 0.1%, plus a rank either way.
        assert!(summary.p50.abs_diff(Duration::from_micros(500)) < Duration::from_micros(3));
        assert!(summary.p99.abs_diff(Duration::from_micros(990)) < Duration::from_micros(3));
        assert!(summary.max.abs_diff(Duration::from_secs(2)) < Duration::from_millis(2));
    }

    #[test]
    fn durations_print_in_the_unit_that_reads_best() {
        assert_eq!(Millis(Duration::from_micros(123)).to_string(), "123 µs");
        assert_eq!(Millis(Duration::from_micros(12_345)).to_string(), "12.3 ms");
    }
}
