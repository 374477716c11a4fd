//! [`Snapshot`]: a process's resident memory and live heap at one moment, and the cost per
//! session between two of them.
//!
//! Live heap bytes are counted by [`stats_alloc`]: they are real only in a binary whose global
//! allocator is [`INSTRUMENTED_SYSTEM`], declared as
//!
//! ```ignore
//! #[global_allocator]
//! static ALLOCATOR: &stats_alloc::StatsAlloc<std::alloc::System> =
//!     &stats_alloc::INSTRUMENTED_SYSTEM;
//! ```
//!
//! Elsewhere they read 0.

use std::fmt::{self, Write as _};
use std::io;

use stats_alloc::INSTRUMENTED_SYSTEM;

use crate::procfs::rss_bytes;

/// A process's memory at one moment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Snapshot {
    /// Resident set size, in bytes.
    pub rss: u64,
    /// Bytes allocated on the heap and not yet freed.
    pub heap: i64,
}

impl Snapshot {
    /// This process's memory now.
    pub fn take() -> io::Result<Self> {
        // A reallocation is counted in `bytes_allocated` or `bytes_deallocated` by what it
        // added or removed, so these two alone give the live bytes.
        let stats = INSTRUMENTED_SYSTEM.stats();
        let heap = stats.bytes_allocated as i64 - stats.bytes_deallocated as i64;
        Ok(Self {
            rss: rss_bytes()?,
            heap,
        })
    }

    /// Reads a snapshot back from its [`Display`](fmt::Display) form, `rss=<bytes>
    /// heap=<bytes>`, as a child process prints it.
    pub fn parse(text: &str) -> Option<Self> {
        let mut rss = None;
        let mut heap = None;
        for pair in text.split_whitespace() {
            match pair.split_once('=')? {
                ("rss", value) => rss = value.parse().ok(),
                ("heap", value) => heap = value.parse().ok(),
                _ => return None,
            }
        }
        Some(Self {
            rss: rss?,
            heap: heap?,
        })
    }

    /// What each of `count` sessions added between `before` and this snapshot, in bytes.
    pub fn per_session_since(&self, before: &Self, count: usize) -> PerSession {
        let count = count.max(1) as f64;
        PerSession {
            rss: (self.rss as f64 - before.rss as f64) / count,
            heap: (self.heap - before.heap) as f64 / count,
        }
    }
}

impl fmt::Display for Snapshot {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "rss={} heap={}", self.rss, self.heap)
    }
}

/// Bytes per session, between two snapshots.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PerSession {
    /// Resident memory per session.
    pub rss: f64,
    /// Live heap per session.
    pub heap: f64,
}

/// The most an idle session may cost on each side, heap and resident memory alike: 8 KiB.
pub const TARGET_PER_SESSION: f64 = 8.0 * 1024.0;

/// One side's memory at the three moments of the idle measurement.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Phases {
    /// Before any session was opened.
    pub before: Snapshot,
    /// Once every session was open, none used.
    pub opened: Snapshot,
    /// Once every session had made (client) or answered (server) one call and sat idle.
    pub idle: Snapshot,
}

/// The table of the idle measurement of `sessions` sessions, one block of rows per side
/// (`(name, phases)`), then whether each side meets [`TARGET_PER_SESSION`] once idle.
pub fn idle_table(sessions: usize, sides: &[(&str, Phases)]) -> String {
    let mut out = String::from(
        "| side | moment | RSS | live heap | RSS per session | heap per session |\n\
         |---|---|---:|---:|---:|---:|\n",
    );
    for (side, phases) in sides {
        let _ = writeln!(
            out,
            "| {side} | before | {} | {} | | |",
            Mib(phases.before.rss as f64),
            Mib(phases.before.heap as f64),
        );
        for (moment, snapshot) in [
            ("all open", phases.opened),
            ("used once, then idle", phases.idle),
        ] {
            let per = snapshot.per_session_since(&phases.before, sessions);
            let _ = writeln!(
                out,
                "| {side} | {moment} | {} | {} | {:.0} B | {:.0} B |",
                Mib(snapshot.rss as f64),
                Mib(snapshot.heap as f64),
                per.rss,
                per.heap,
            );
        }
    }
    let _ = writeln!(
        out,
        "\ntarget: at most {TARGET_PER_SESSION:.0} B per idle session on each side"
    );
    for (side, phases) in sides {
        let per = phases.idle.per_session_since(&phases.before, sessions);
        let verdict = |bytes: f64| {
            if bytes <= TARGET_PER_SESSION {
                "met"
            } else {
                "NOT met"
            }
        };
        let _ = writeln!(
            out,
            "{side}: heap {:.0} B ({}), RSS {:.0} B ({})",
            per.heap,
            verdict(per.heap),
            per.rss,
            verdict(per.rss),
        );
    }
    out
}

/// Bytes as MiB with one decimal.
struct Mib(f64);

impl fmt::Display for Mib {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:.1} MiB", self.0 / (1024.0 * 1024.0))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_snapshot_reads_back_what_it_prints() {
        let snapshot = Snapshot {
            rss: 12_345_678,
            heap: -42,
        };
        assert_eq!(Snapshot::parse(&snapshot.to_string()), Some(snapshot));
        assert_eq!(Snapshot::parse("rss=1"), None);
        assert_eq!(Snapshot::parse("rss=1 heap=2 cpu=3"), None);
    }

    #[test]
    fn the_cost_is_split_across_the_sessions() {
        let before = Snapshot {
            rss: 1000,
            heap: 500,
        };
        let after = Snapshot {
            rss: 41_000,
            heap: 20_500,
        };
        let per = after.per_session_since(&before, 10);
        assert_eq!((per.rss, per.heap), (4000.0, 2000.0));
    }

    #[test]
    fn the_table_judges_each_side_once_idle() {
        let mib = 1024 * 1024;
        let phases = |idle_heap: i64| Phases {
            before: Snapshot {
                rss: 10 * mib,
                heap: mib as i64,
            },
            opened: Snapshot {
                rss: 20 * mib,
                heap: 2 * mib as i64,
            },
            idle: Snapshot {
                rss: 30 * mib,
                heap: idle_heap,
            },
        };
        let table = idle_table(
            1024,
            &[
                ("client", phases(3 * mib as i64)),
                ("server", phases(20 * mib as i64)),
            ],
        );
        assert!(table.contains("| client | all open | 20.0 MiB | 2.0 MiB | 10240 B | 1024 B |"));
        assert!(table.contains("client: heap 2048 B (met), RSS 20480 B (NOT met)"));
        assert!(table.contains("server: heap 19456 B (NOT met)"));
    }
}
