//! The forwarding example runs to the end by itself: the front answers its own route and
//! relays everything else to the back, meta and errors included.

mod support;

#[path = "../examples/fallback_forward.rs"]
mod example;

#[test]
fn the_example_exits_successfully_on_its_own() {
    support::assert_exits_on_its_own(example::main);
}

#[tokio::test]
async fn unknown_calls_are_answered_by_the_back() {
    let lines = support::printed_by!(example::run);
    let printed = |wanted: &str| lines.iter().any(|line| line.contains(wanted));
    assert!(
        printed(r#"/front/ping: "pong from the front""#),
        "{lines:#?}"
    );
    assert!(
        printed(r#"/user/whoami: "you are alice (trace 7), answered by the back""#),
        "{lines:#?}"
    );
    assert!(
        printed("/user/whoami reply codec 'j', meta served-by=back&trace-id=7"),
        "{lines:#?}"
    );
    assert!(printed("/user/nobody: status 404"), "{lines:#?}");
    assert!(printed("all three peers shut down"), "{lines:#?}");
}
