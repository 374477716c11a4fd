//! The raw bytes example runs to the end by itself, and binary bodies come back intact.

use std::cell::RefCell;
use std::sync::mpsc;
use std::time::Duration;

#[path = "../examples/raw_bytes.rs"]
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
async fn binary_bodies_travel_intact_under_the_json_codec() {
    let lines = RefCell::new(Vec::<String>::new());
    let record = |line: &str| lines.borrow_mut().push(line.to_owned());
    tokio::time::timeout(DEADLINE, example::run(&record))
        .await
        .expect("the example hung")
        .expect("the example succeeded");

    let lines = lines.into_inner();
    let printed = |wanted: &str| lines.iter().any(|line| line.contains(wanted));
    assert!(
        printed("client sends 256 bytes, valid UTF-8: false"),
        "{lines:#?}"
    );
    assert!(
        printed("/bytes/echo answered 256 bytes with codec 'j', intact: true"),
        "{lines:#?}"
    );
    assert!(
        printed("/bytes/reverse answered 256 bytes, first 0xff, last 0x00, right: true"),
        "{lines:#?}"
    );
    assert!(printed("both peers shut down"), "{lines:#?}");
}
