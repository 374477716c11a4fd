//! The quickstart runs to the end by itself: the call is answered, the push arrives, both
//! peers shut down gracefully.

use std::cell::RefCell;
use std::sync::mpsc;
use std::time::Duration;

#[path = "../examples/quickstart.rs"]
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
async fn the_example_prints_the_sum_the_push_and_a_graceful_shutdown() {
    let lines = RefCell::new(Vec::<String>::new());
    let record = |line: &str| lines.borrow_mut().push(line.to_owned());
    tokio::time::timeout(DEADLINE, example::run(&record))
        .await
        .expect("the example hung")
        .expect("the example succeeded");

    let lines = lines.into_inner();
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
