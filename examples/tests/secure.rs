//! The secure example runs to the end by itself: marked bodies go encrypted, others in clear,
//! and a peer with another key is refused.

mod support;

#[path = "../examples/secure.rs"]
mod example;

#[test]
fn the_example_exits_successfully_on_its_own() {
    support::assert_exits_on_its_own(example::main);
}

#[tokio::test]
async fn marked_bodies_go_encrypted_and_a_wrong_key_is_refused() {
    let lines = support::printed_by!(example::run);
    let printed = |wanted: &str| lines.iter().any(|line| line.contains(wanted));
    assert!(
        printed(
            r#"X-Secure call: reply "the cake is in the oven", reply encrypted: true; on the wire 53 bytes, readable: false"#
        ),
        "{lines:#?}"
    );
    assert!(
        printed(
            r#"plain call: reply "the cake is in the oven", reply encrypted: false; on the wire 25 bytes, readable: true"#
        ),
        "{lines:#?}"
    );
    assert!(
        printed(
            r#"X-Accept-Secure call: reply "the cake is in the oven", reply encrypted: true; on the wire 25 bytes, readable: true"#
        ),
        "{lines:#?}"
    );
    assert!(
        printed("another key: status 400: Bad Message (secure: the body does not decrypt)"),
        "{lines:#?}"
    );
    assert!(printed("all peers shut down"), "{lines:#?}");
}
