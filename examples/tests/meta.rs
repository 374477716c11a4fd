//! The meta example runs to the end by itself: the handler sees the call's meta, the caller
//! the reply's.

mod support;

#[path = "../examples/meta.rs"]
mod example;

#[test]
fn the_example_exits_successfully_on_its_own() {
    support::assert_exits_on_its_own(example::main);
}

#[tokio::test]
async fn meta_goes_both_ways() {
    let lines = support::printed_by!(example::run);
    let printed = |wanted: &str| lines.iter().any(|line| line.contains(wanted));
    assert!(
        printed("handler: author=alice trace-id=42, X-Timeout-Ms present: true"),
        "{lines:#?}"
    );
    assert!(
        printed("client: reply meta served-by=meta-example"),
        "{lines:#?}"
    );
    assert!(printed("client: reply meta trace-id=42"), "{lines:#?}");
    assert!(
        printed(r#"client: reply body "hello, bob, from alice""#),
        "{lines:#?}"
    );
    assert!(printed("both peers shut down"), "{lines:#?}");
}
