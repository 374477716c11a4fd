//! Arbitrary bytes as a sealed body to the secure plugin's `open`, under a fixed key. It must
//! refuse what it did not seal without panicking; whatever opens must seal and open again to
//! the same bytes.
#![no_main]

use libfuzzer_sys::fuzz_target;
use telerpc_plugin::secure::Secure;

fuzz_target!(|data: &[u8]| {
    let secure = Secure::new([7; 32]);
    if let Ok(opened) = secure.open(data) {
        let sealed = secure.seal(&opened).expect("sealing what was just opened");
        assert_eq!(secure.open(&sealed).expect("our own seal opens"), opened);
    }
});
