//! The auth example runs to the end by itself: the right token opens a session, a wrong one
//! fails the dial with 105.

mod support;

#[path = "../examples/auth.rs"]
mod example;

#[test]
fn the_example_exits_successfully_on_its_own() {
    support::assert_exits_on_its_own(example::main);
}

#[tokio::test]
async fn the_right_token_gets_in_and_a_wrong_one_does_not() {
    let lines = support::printed_by!(example::run);
    let printed = |wanted: &str| lines.iter().any(|line| line.contains(wanted));
    assert!(
        printed(r#"alice: authenticated, the server calls me "alice""#),
        "{lines:#?}"
    );
    assert!(printed("mallory: dial refused with 105"), "{lines:#?}");
    assert!(printed("unknown token"), "{lines:#?}");
    assert!(printed("all peers shut down"), "{lines:#?}");
}
