//! Unpacks arbitrary bytes with the Md5 filter; whatever unpacks must
//! survive packing and unpacking again unchanged.
#![no_main]

use libfuzzer_sys::fuzz_target;
use telerpc_fuzz::check_filter_unpack;
use telerpc_xfer::Md5;

fuzz_target!(|data: &[u8]| {
    check_filter_unpack(&Md5::default(), data);
});
