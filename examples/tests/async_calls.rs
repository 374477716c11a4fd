//! The concurrent calls example runs to the end by itself, every reply right, the handlers
//! overlapping.

mod support;

#[path = "../examples/async_calls.rs"]
mod example;

#[test]
fn the_example_exits_successfully_on_its_own() {
    support::assert_exits_on_its_own(example::main);
}

#[tokio::test]
async fn every_reply_is_right_and_the_calls_overlap() {
    let lines = support::printed_by!(example::run);
    let printed = |wanted: &str| lines.iter().any(|line| line.contains(wanted));
    // The sum of 3 * i + 3 for i in 0..100.
    assert!(
        printed("100 of 100 replies correct, their total 15150"),
        "{lines:#?}"
    );
    let peak: usize = lines
        .iter()
        .find_map(|line| line.strip_prefix("at most "))
        .and_then(|rest| rest.split(' ').next())
        .and_then(|peak| peak.parse().ok())
        .expect("the peak is printed");
    assert!(peak > 1, "the calls never overlapped: {lines:#?}");
    assert!(printed("both peers shut down"), "{lines:#?}");
}
