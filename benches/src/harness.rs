//! The load generator: C callers making M sequential calls in all, after a warm-up, timed
//! together.

use std::future::Future;
use std::sync::Arc;
use std::time::{Duration, Instant};

use tokio::sync::Barrier;
use tokio::task::JoinSet;

use crate::latency::{Latencies, Summary};

/// How long one call may take before it counts as failed: 10 s.
pub const CALL_TIMEOUT: Duration = Duration::from_secs(10);

/// The shape of a run, the same for every system measured in it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Load {
    /// Callers making calls at once, each one call at a time.
    pub callers: usize,
    /// Timed calls in all, split evenly across the callers.
    pub calls: usize,
    /// Untimed calls each caller makes first.
    pub warmup: usize,
}

impl Load {
    /// The timed calls of caller `index`: an even share, the first callers taking one more
    /// when the calls do not split evenly.
    pub fn calls_of(&self, index: usize) -> usize {
        let callers = self.callers.max(1);
        self.calls / callers + usize::from(index < self.calls % callers)
    }
}

/// One caller of a system under test: makes one call at a time.
pub trait Caller: Send + 'static {
    /// Makes one benchmark call; `true` if it succeeded (a reply whose `field1` is `"OK"`
    /// within [`CALL_TIMEOUT`]).
    fn call(&mut self) -> impl Future<Output = bool> + Send;
}

/// Runs `load` with `callers` (one task each): every caller makes its warm-up calls, then all
/// start their timed calls together, and the run lasts until the last one is done.
///
/// Returns the summary of the timed calls.
pub async fn run<C: Caller>(load: Load, callers: Vec<C>) -> Summary {
    let start = Arc::new(Barrier::new(callers.len() + 1));
    let mut tasks = JoinSet::new();
    for (index, mut caller) in callers.into_iter().enumerate() {
        let start = Arc::clone(&start);
        let calls = load.calls_of(index);
        let warmup = load.warmup;
        tasks.spawn(async move {
            for _ in 0..warmup {
                caller.call().await;
            }
            start.wait().await;
            let mut latencies = Latencies::new();
            for _ in 0..calls {
                let began = Instant::now();
                if caller.call().await {
                    latencies.record(began.elapsed());
                } else {
                    latencies.record_error();
                }
            }
            latencies
        });
    }
    start.wait().await;
    let began = Instant::now();
    let mut all = Latencies::new();
    while let Some(joined) = tasks.join_next().await {
        match joined {
            Ok(latencies) => all.merge(&latencies),
            Err(error) => panic!("a caller task failed: {error}"),
        }
    }
    all.summary(began.elapsed())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn calls_split_evenly_and_the_rest_goes_to_the_first_callers() {
        let load = Load {
            callers: 3,
            calls: 10,
            warmup: 5,
        };
        let shares: Vec<usize> = (0..3).map(|i| load.calls_of(i)).collect();
        assert_eq!(shares, [4, 3, 3]);
    }

    /// Succeeds every other call.
    struct EveryOther(bool);

    impl Caller for EveryOther {
        async fn call(&mut self) -> bool {
            self.0 = !self.0;
            self.0
        }
    }

    #[tokio::test]
    async fn a_run_counts_timed_calls_only() {
        let load = Load {
            callers: 2,
            calls: 8,
            warmup: 1,
        };
        let summary = run(load, vec![EveryOther(false), EveryOther(false)]).await;
        assert_eq!((summary.calls, summary.errors), (4, 4));
    }
}
