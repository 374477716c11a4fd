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
//! | [`raw_frame`], [`raw_echo`], [`raw_client`] | the baseline: plain tokio, `u32 length, u64 id, payload` frames, prost bodies |
//! | [`frames`] | the benchmark's CALL and REPLY messages as users of the socket tier build them |
//! | [`socket_echo`], [`socket_client`] | the socket tier alone, server and hand-built client |
//! | [`pending`] | the callers of one connection waiting for replies, for the hand-built clients |
//! | [`session_echo`] | the session tier: a server handler and dialed sessions |
//! | [`full_stack`] | the whole stack: a peer routing to an async handler, a peer dialing it |
//! | `tonic_echo` | gRPC over tonic, for comparison (feature `compare`) |
//! | `tarpc_echo` | tarpc with bincode over TCP, for comparison (feature `compare`) |
//! | [`report`] | the throughput table and the ratios between systems |
//! | [`child`] | a binary as two processes, the parent spawning itself as the server |
//! | [`procfs`], [`memory`] | resident memory, CPU time and live heap of a process |
#![forbid(unsafe_code)]

pub mod child;
pub mod frames;
pub mod full_stack;
pub mod harness;
pub mod latency;
pub mod memory;
mod message;
pub mod pending;
pub mod procfs;
pub mod raw_client;
pub mod raw_echo;
pub mod raw_frame;
pub mod report;
pub mod session_echo;
pub mod socket_client;
pub mod socket_echo;
#[cfg(feature = "compare")]
pub mod tarpc_echo;
#[cfg(feature = "compare")]
pub mod tonic_echo;

pub use message::{BenchmarkMessage, FILL_NUMBER, FILL_TEXT};
