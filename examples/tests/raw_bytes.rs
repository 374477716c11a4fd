//! The raw bytes example runs to the end by itself, and binary bodies come back intact.

mod support;

#[path = "../examples/raw_bytes.rs"]
mod example;

#[test]
fn the_example_exits_successfully_on_its_own() {
    support::assert_exits_on_its_own(example::main);
}

#[tokio::test]
async fn binary_bodies_travel_intact_under_the_json_codec() {
    let lines = support::printed_by!(example::run);
    let printed = |wanted: &str| lines.iter().any(|line| line.contains(wanted));
    assert!(
        printed("client sends 256 bytes, valid UTF-8: false"),
        "{lines:#?}"
    );
    assert!(
        printed("/bytes/echo answered 256 bytes with codec 'j', intact: true"),
        "{lines:#?}"
    );
    assert!(
        printed("/bytes/reverse answered 256 bytes, first 0xff, last 0x00, right: true"),
        "{lines:#?}"
    );
    assert!(printed("both peers shut down"), "{lines:#?}");
}
