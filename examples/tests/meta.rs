//! The meta example runs to the end by itself: the handler sees the call's meta, the caller
//! the reply's.

use std::cell::RefCell;
use std::sync::mpsc;
use std::time::Duration;

#[path = "../examples/meta.rs"]
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
async fn meta_goes_both_ways() {
    let lines = RefCell::new(Vec::<String>::new());
    let record = |line: &str| lines.borrow_mut().push(line.to_owned());
    tokio::time::timeout(DEADLINE, example::run(&record))
        .await
        .expect("the example hung")
        .expect("the example succeeded");

    let lines = lines.into_inner();
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
