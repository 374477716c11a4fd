//! The comparison table: one row per system and mode, each with its ratios to the raw
//! baseline of the same mode, in Markdown so it can be pasted into the benchmark notes.

use std::fmt::Write as _;
use std::time::Duration;

use crate::latency::{Millis, Summary};

/// The system every other is compared to.
pub const BASELINE: &str = "raw";

/// The figures of one system in one mode of one run.
#[derive(Debug, Clone, PartialEq)]
pub struct Row {
    /// The system's name.
    pub system: String,
    /// The mode: `reference` or `multiplexed`, with its callers and connections.
    pub mode: String,
    /// Its timed calls.
    pub summary: Summary,
    /// CPU time of the client process while it ran (warm-up included).
    pub client_cpu: Duration,
    /// CPU time of the server process while it ran (warm-up included).
    pub server_cpu: Duration,
    /// The server process's peak resident memory, in bytes.
    pub server_peak_rss: u64,
}

impl Row {
    /// CPU time of both processes per successful call.
    pub fn cpu_per_call(&self) -> Duration {
        (self.client_cpu + self.server_cpu) / self.successful()
    }

    /// `cpu` per 100,000 successful calls, in seconds.
    fn per_100k(&self, cpu: Duration) -> f64 {
        cpu.as_secs_f64() * 100_000.0 / f64::from(self.successful())
    }

    fn successful(&self) -> u32 {
        u32::try_from(self.summary.calls.max(1)).unwrap_or(u32::MAX)
    }
}

/// The table of `rows`: throughput, latency, errors, CPU seconds per 100,000 calls of client
/// and server, the server's peak RSS, and the ratios of throughput and CPU per call to the
/// [`BASELINE`] row of the same mode (blank when the run has none).
pub fn table(rows: &[Row]) -> String {
    let mut out = String::from(
        "| system | mode | calls/s | × raw | mean | p50 | p99 | p99.9 | max | errors \
         | client CPU /100k | server CPU /100k | CPU/call × raw | server peak RSS |\n\
         |---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n",
    );
    for row in rows {
        let base = rows
            .iter()
            .find(|base| base.system == BASELINE && base.mode == row.mode);
        let ratio =
            |of: fn(&Row) -> f64| base.map_or(String::new(), |b| format!("{:.2}", of(row) / of(b)));
        let s = &row.summary;
        let _ = writeln!(
            out,
            "| {} | {} | {:.0} | {} | {} | {} | {} | {} | {} | {} | {:.2} s | {:.2} s | {} | {:.1} MiB |",
            row.system,
            row.mode,
            s.throughput(),
            ratio(|r| r.summary.throughput()),
            Millis(s.mean),
            Millis(s.p50),
            Millis(s.p99),
            Millis(s.p999),
            Millis(s.max),
            s.errors,
            row.per_100k(row.client_cpu),
            row.per_100k(row.server_cpu),
            ratio(|r| r.cpu_per_call().as_secs_f64()),
            row.server_peak_rss as f64 / (1024.0 * 1024.0),
        );
    }
    out
}

/// Of several rounds of rows, for each system and mode (in the order they first appear) the
/// row of median throughput: with an even number of rounds, the slower of the middle two.
pub fn medians(rows: Vec<Row>) -> Vec<Row> {
    let mut groups: Vec<Vec<Row>> = Vec::new();
    for row in rows {
        match groups
            .iter_mut()
            .find(|group| group[0].system == row.system && group[0].mode == row.mode)
        {
            Some(group) => group.push(row),
            None => groups.push(vec![row]),
        }
    }
    groups
        .into_iter()
        .map(|mut group| {
            group.sort_by(|a, b| a.summary.throughput().total_cmp(&b.summary.throughput()));
            group.swap_remove((group.len() - 1) / 2)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(system: &str, calls: u64, micros: u64) -> Row {
        let latency = Duration::from_micros(micros);
        Row {
            system: system.to_owned(),
            mode: "reference".to_owned(),
            summary: Summary {
                calls,
                errors: 0,
                elapsed: Duration::from_secs(1),
                mean: latency,
                p50: latency,
                p99: latency * 2,
                p999: latency * 3,
                max: latency * 4,
            },
            client_cpu: Duration::from_millis(500),
            server_cpu: Duration::from_millis(500),
            server_peak_rss: 3 * 1024 * 1024,
        }
    }

    #[test]
    fn each_row_carries_its_ratios_to_the_baseline_of_its_mode() {
        let table = table(&[row("raw", 1000, 100), row("telerpc", 500, 200)]);
        assert!(table.contains(
            "| raw | reference | 1000 | 1.00 | 100 µs | 100 µs | 200 µs | 300 µs | 400 µs | 0 | 50.00 s | 50.00 s | 1.00 | 3.0 MiB |"
        ));
        assert!(table.contains(
            "| telerpc | reference | 500 | 0.50 | 200 µs | 200 µs | 400 µs | 600 µs | 800 µs | 0 | 100.00 s | 100.00 s | 2.00 | 3.0 MiB |"
        ));
    }

    #[test]
    fn the_median_round_of_each_system_and_mode_is_kept_in_first_seen_order() {
        let rounds = vec![
            row("raw", 300, 100),
            row("telerpc", 900, 100),
            row("raw", 100, 100),
            row("telerpc", 500, 100),
            row("raw", 200, 100),
            row("telerpc", 700, 100),
            row("telerpc", 600, 100),
        ];
        let kept: Vec<(String, u64)> = medians(rounds)
            .into_iter()
            .map(|row| (row.system, row.summary.calls))
            .collect();
        assert_eq!(kept, [("raw".to_owned(), 200), ("telerpc".to_owned(), 600)]);
    }

    #[test]
    fn without_a_baseline_the_ratios_are_blank() {
        let table = table(&[row("telerpc", 500, 200)]);
        assert!(table.contains("| 500 |  | 200 µs |"));
    }
}
