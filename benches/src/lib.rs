//! telerpc's benchmarks: the benchmark message shared by every bench in this package, and the
//! harness of the benchmark binaries in `src/bin/`.
//!
//! [`BenchmarkMessage`] is the 40-field proto2 message of the eRPC/teleport benchmarks (the
//! method is described in the project's benchmark notes). Filled as the reference fills it, it
//! encodes to exactly 581 bytes; the server's answer encodes to 527.
//!
//! | module | what it is |
//! |---|---|
//! | [`harness`] | the load generator: C callers, M calls, a warm-up, timed together |
//! | [`latency`] | latencies in an HDR histogram, and the summary a table prints |
//! | [`frames`] | the benchmark's CALL and REPLY frames as the raw echo builds them |
//! | [`raw_echo`], [`raw_client`] | the baseline: plain tokio, rawproto frames, prost bodies |
//! | [`session_echo`] | the session tier under test: a server handler and dialed sessions |
//! | [`socket_echo`] | the socket tier alone: the baseline of the idle-session measurement |
//! | `tonic_echo` | gRPC over tonic, for comparison (feature `compare`) |
//! | `tarpc_echo` | tarpc with bincode over TCP, for comparison (feature `compare`) |
//! | [`report`] | the throughput table and the ratios between systems |
//! | [`child`] | a binary as two processes, the parent spawning itself as the server |
//! | [`procfs`], [`memory`] | resident memory, CPU time and live heap of a process |
#![forbid(unsafe_code)]

pub mod child;
pub mod frames;
pub mod harness;
pub mod latency;
pub mod memory;
mod message;
pub mod procfs;
pub mod raw_client;
pub mod raw_echo;
pub mod report;
pub mod session_echo;
pub mod socket_echo;
#[cfg(feature = "compare")]
pub mod tarpc_echo;
#[cfg(feature = "compare")]
pub mod tonic_echo;

pub use message::{BenchmarkMessage, FILL_NUMBER, FILL_TEXT};
