//! The benchmark message of telerpc's benchmarks, shared by every bench in this package.
//!
//! [`BenchmarkMessage`] is the 40-field proto2 message of the eRPC/teleport benchmarks (the
//! method is described in the project's benchmark notes). Filled as the reference fills it, it
//! encodes to exactly 581 bytes; the server's answer encodes to 527.
#![forbid(unsafe_code)]

mod message;

pub use message::{BenchmarkMessage, FILL_NUMBER, FILL_TEXT};
