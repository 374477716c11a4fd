//! The overloader example runs to the end by itself: the second connection is closed, the
//! burst to the limited route refused with 429, the other route served.

mod support;

#[path = "../examples/overloader.rs"]
mod example;

#[test]
fn the_example_exits_successfully_on_its_own() {
    support::assert_exits_on_its_own(example::main);
}

#[tokio::test]
async fn limits_refuse_what_is_over_them() {
    let lines = support::printed_by!(example::run);
    let printed = |wanted: &str| lines.iter().any(|line| line == wanted);
    assert!(printed("first connection: served (1)"), "{lines:#?}");
    assert!(printed("second connection: closed (102)"), "{lines:#?}");
    assert!(printed("/search 1: answered"), "{lines:#?}");
    let refusal = r#"refused 429 Too Many Requests: over the rate limit of 1/s for calls and pushes to "/search""#;
    assert!(
        lines.iter().any(|line| line.ends_with(refusal)),
        "{lines:#?}"
    );
    assert!(printed("/echo: 4 of 4 answered"), "{lines:#?}");
    assert!(printed("both peers shut down"), "{lines:#?}");
}
