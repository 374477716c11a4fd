//! The proxy example runs to the end by itself: the front forwards what it has no route for,
//! and answers 502 once the back is gone.

mod support;

#[path = "../examples/proxy.rs"]
mod example;

#[test]
fn the_example_exits_successfully_on_its_own() {
    support::assert_exits_on_its_own(example::main);
}

#[tokio::test]
async fn the_front_forwards_and_then_answers_bad_gateway() {
    let lines = support::printed_by!(example::run);
    let printed = |wanted: &str| lines.iter().any(|line| line.contains(wanted));
    assert!(
        printed(r#"/front/ping: "pong from the front""#),
        "{lines:#?}"
    );
    assert!(
        printed(r#"/user/whoami: "you are alice, calling from 127.0.0.1""#),
        "{lines:#?}"
    );
    assert!(printed("reply meta: served-by=back"), "{lines:#?}");
    assert!(printed("/user/nobody: status 404: Not Found"), "{lines:#?}");
    assert!(printed("/user/whoami: Bad Gateway"), "{lines:#?}");
    assert!(printed("all three peers shut down"), "{lines:#?}");
}
