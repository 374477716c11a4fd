//! Decompression bombs stop at the limit, quickly and without expanding in memory.
//!
//! One test per file, so no other test in this process disturbs the
//! peak-memory reading.

use std::io::Write;
use std::time::{Duration, Instant};

use bytes::{Bytes, BytesMut};
use telerpc_xfer::{Filter, FilterRegistry, Gzip, XferError, Zstd};

const MIB: usize = 1024 * 1024;
const BOMB_LEN: usize = 100 * MIB;
const LIMIT: usize = MIB;

/// Writes `BOMB_LEN` zeros into `encoder` in small chunks, never holding them.
fn feed_zeros(encoder: &mut impl Write) {
    let zeros = [0u8; 64 * 1024];
    for _ in 0..BOMB_LEN / zeros.len() {
        encoder.write_all(&zeros).unwrap();
    }
}

fn gzip_bomb() -> Vec<u8> {
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    feed_zeros(&mut encoder);
    encoder.finish().unwrap()
}

fn zstd_bomb() -> Vec<u8> {
    let mut encoder = zstd::stream::write::Encoder::new(Vec::new(), 3).unwrap();
    feed_zeros(&mut encoder);
    encoder.finish().unwrap()
}

/// The process's peak resident memory in bytes, where Linux reports it.
fn peak_resident_bytes() -> Option<usize> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|line| line.starts_with("VmHWM:"))?;
    let kib: usize = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib * 1024)
}

fn assert_stops_at_limit(filter: &dyn Filter, bomb: &[u8]) {
    let started = Instant::now();
    let mut out = BytesMut::new();
    let error = filter.unpack(bomb, LIMIT, &mut out).unwrap_err();
    assert!(
        matches!(error, XferError::LimitExceeded { limit: LIMIT, .. }),
        "{}: {error:?}",
        filter.name()
    );
    assert!(out.is_empty());
    assert!(out.capacity() <= LIMIT);
    let elapsed = started.elapsed();
    assert!(
        elapsed < Duration::from_secs(5),
        "{}: took {elapsed:?}",
        filter.name()
    );
}

#[test]
fn bombs_of_100_mib_fail_at_a_1_mib_limit() {
    let gzip = gzip_bomb();
    let zstd = zstd_bomb();
    assert!(gzip.len() < BOMB_LEN / 500 && zstd.len() < BOMB_LEN / 500);
    let peak_before = peak_resident_bytes();

    assert_stops_at_limit(&Gzip::default(), &gzip);
    assert_stops_at_limit(&Zstd::default(), &zstd);

    let registry = FilterRegistry::default();
    let mut concatenated = gzip.clone();
    concatenated.extend_from_slice(&gzip);
    for (pipe, bomb) in [(b"g", concatenated), (b"z", zstd)] {
        let error = registry.unpack(pipe, Bytes::from(bomb), LIMIT).unwrap_err();
        assert!(
            matches!(error, XferError::LimitExceeded { .. }),
            "{error:?}"
        );
    }

    if let (Some(before), Some(after)) = (peak_before, peak_resident_bytes()) {
        let growth = after.saturating_sub(before);
        assert!(
            growth < 16 * MIB,
            "peak memory grew by {} MiB while unpacking",
            growth / MIB
        );
    }
}
