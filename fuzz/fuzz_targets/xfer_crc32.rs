//! Unpacks arbitrary bytes with the Crc32 filter; whatever unpacks must
//! survive packing and unpacking again unchanged.
#![no_main]

use libfuzzer_sys::fuzz_target;
use telerpc_fuzz::check_filter_unpack;
use telerpc_xfer::Crc32;

fuzz_target!(|data: &[u8]| {
    check_filter_unpack(&Crc32::default(), data);
});
