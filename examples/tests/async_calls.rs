//! The concurrent calls example runs to the end by itself, every reply right, the handlers
//! overlapping.

use std::cell::RefCell;
use std::sync::mpsc;
use std::time::Duration;

#[path = "../examples/async_calls.rs"]
mod example;

/// The example must end well within this.
const DEADLINE: Duration = Duration::from_secs(10);

#[test]
fn the_example_exits_successfully_on_its_own() {
    let (done, finished) = mpsc::channel();
    std::thread::spawn(move || {
        let outcome = example::main().map_err(|error| error.to_string());
        done.send(outcome).expect("the test is waiting");
    });
    let outcome = finished.recv_timeout(DEADLINE).expect("the example hung");
    assert_eq!(outcome, Ok(()));
}

#[tokio::test]
async fn every_reply_is_right_and_the_calls_overlap() {
    let lines = RefCell::new(Vec::<String>::new());
    let record = |line: &str| lines.borrow_mut().push(line.to_owned());
    tokio::time::timeout(DEADLINE, example::run(&record))
        .await
        .expect("the example hung")
        .expect("the example succeeded");

    let lines = lines.into_inner();
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
