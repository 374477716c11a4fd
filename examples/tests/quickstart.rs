//! The quickstart runs to the end by itself: the call is answered, the push arrives, both
//! peers shut down gracefully.

mod support;

#[path = "../examples/quickstart.rs"]
mod example;

#[test]
fn the_example_exits_successfully_on_its_own() {
    support::assert_exits_on_its_own(example::main);
}

#[tokio::test]
async fn the_example_prints_the_sum_the_push_and_a_graceful_shutdown() {
    let lines = support::printed_by!(example::run);
    let printed = |wanted: &str| lines.iter().any(|line| line.contains(wanted));
    assert!(
        printed("server listening on tcp://127.0.0.1:"),
        "{lines:#?}"
    );
    assert!(
        printed("client called /math/add with [1, 2, 3]: 6"),
        "{lines:#?}"
    );
    assert!(
        printed("server pushed /push/status to 1 session(s)"),
        "{lines:#?}"
    );
    assert!(
        printed("client got the push /push/status: this is a broadcast from the server"),
        "{lines:#?}"
    );
    assert!(
        printed("shut down: client graceful=true, server graceful=true"),
        "{lines:#?}"
    );
}
