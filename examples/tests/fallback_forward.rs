//! The forwarding example runs to the end by itself: the front answers its own route and
//! relays everything else to the back, meta and errors included.

use std::cell::RefCell;
use std::sync::mpsc;
use std::time::Duration;

#[path = "../examples/fallback_forward.rs"]
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
async fn unknown_calls_are_answered_by_the_back() {
    let lines = RefCell::new(Vec::<String>::new());
    let record = |line: &str| lines.borrow_mut().push(line.to_owned());
    tokio::time::timeout(DEADLINE, example::run(&record))
        .await
        .expect("the example hung")
        .expect("the example succeeded");

    let lines = lines.into_inner();
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
