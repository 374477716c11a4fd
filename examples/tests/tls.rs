//! The TLS demo calls over TLS, refuses a client that does not trust the server, and cleans
//! up its temp dir.

use std::path::Path;

mod support;

#[path = "../examples/tls.rs"]
mod example;

#[test]
fn the_demo_exits_successfully_on_its_own() {
    support::assert_exits_on_its_own(example::main);
}

#[tokio::test]
async fn the_call_goes_over_tls_and_a_distrustful_client_is_refused() {
    let lines = support::printed_by!(example::run);
    let printed = |wanted: &str| lines.iter().any(|line| line == wanted);
    let prefix = "made a self-signed certificate for localhost and 127.0.0.1 in ";
    let dir = lines
        .iter()
        .find_map(|line| line.strip_prefix(prefix))
        .unwrap_or_else(|| panic!("{lines:#?}"));
    assert!(
        Path::new(dir).starts_with(std::env::temp_dir()),
        "{dir} is not under the temp dir"
    );
    assert!(!Path::new(dir).exists(), "{dir} was left behind");

    assert!(
        lines
            .iter()
            .any(|line| line.starts_with("server listening with TLS on tcp4://127.0.0.1:")),
        "{lines:#?}"
    );
    assert!(
        printed(r#"client called over TLS: "HELLO OVER TLS""#),
        "{lines:#?}"
    );
    assert!(
        printed("a client trusting another certificate was refused: 105"),
        "{lines:#?}"
    );
    assert!(printed("server shut down, graceful: true"), "{lines:#?}");
}
