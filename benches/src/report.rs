//! The throughput table: one row per system measured, then the ratios of the second system to
//! the first, in Markdown so it can be pasted into the benchmark notes.

use std::fmt::Write as _;
use std::time::Duration;

use crate::latency::{Millis, Summary};

/// The figures of one system in one run.
#[derive(Debug, Clone, PartialEq)]
pub struct Row {
    /// The system's name.
    pub system: String,
    /// Its timed calls.
    pub summary: Summary,
    /// CPU time of the client process while it ran (warm-up included).
    pub client_cpu: Duration,
    /// CPU time of the server process while it ran (warm-up included).
    pub server_cpu: Duration,
}

impl Row {
    /// CPU time of both processes per successful call.
    pub fn cpu_per_call(&self) -> Duration {
        let calls = u32::try_from(self.summary.calls.max(1)).unwrap_or(u32::MAX);
        (self.client_cpu + self.server_cpu) / calls
    }
}

/// The table of `rows`, followed by the ratios of each later row to the first.
pub fn table(rows: &[Row]) -> String {
    let mut out = String::from(
        "| system | calls/s | mean | p50 | p99 | p99.9 | max | errors | client CPU | server CPU | CPU per call |\n\
         |---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n",
    );
    for row in rows {
        let s = &row.summary;
        let _ = writeln!(
            out,
            "| {} | {:.0} | {} | {} | {} | {} | {} | {} | {:.2} s | {:.2} s | {:.1} µs |",
            row.system,
            s.throughput(),
            Millis(s.mean),
            Millis(s.p50),
            Millis(s.p99),
            Millis(s.p999),
            Millis(s.max),
            s.errors,
            row.client_cpu.as_secs_f64(),
            row.server_cpu.as_secs_f64(),
            row.cpu_per_call().as_secs_f64() * 1e6,
        );
    }
    if let Some((base, others)) = rows.split_first() {
        for row in others {
            let ratio = |a: f64, b: f64| if b > 0.0 { a / b } else { f64::NAN };
            let latency = |pick: fn(&Summary) -> Duration| {
                ratio(
                    pick(&row.summary).as_secs_f64(),
                    pick(&base.summary).as_secs_f64(),
                )
            };
            let _ = writeln!(
                out,
                "\n{} / {}: throughput {:.2}, p50 latency {:.2}, p99 latency {:.2}, CPU per call {:.2}",
                row.system,
                base.system,
                ratio(row.summary.throughput(), base.summary.throughput()),
                latency(|s| s.p50),
                latency(|s| s.p99),
                ratio(
                    row.cpu_per_call().as_secs_f64(),
                    base.cpu_per_call().as_secs_f64()
                ),
            );
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(system: &str, calls: u64, micros: u64) -> Row {
        let latency = Duration::from_micros(micros);
        Row {
            system: system.to_owned(),
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
        }
    }

    #[test]
    fn the_table_has_a_row_per_system_and_the_ratios() {
        let table = table(&[row("raw", 1000, 100), row("session", 500, 200)]);
        assert!(table.contains(
            "| raw | 1000 | 100 µs | 100 µs | 200 µs | 300 µs | 400 µs | 0 | 0.50 s | 0.50 s | 1000.0 µs |"
        ));
        assert!(table.contains(
            "session / raw: throughput 0.50, p50 latency 2.00, p99 latency 2.00, CPU per call 2.00"
        ));
    }
}
