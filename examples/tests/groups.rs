//! The groups example runs to the end by itself: the group's middleware guards its routes and
//! no others.

use std::cell::RefCell;
use std::sync::mpsc;
use std::time::Duration;

#[path = "../examples/groups.rs"]
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
async fn the_group_middleware_guards_only_the_group() {
    let lines = RefCell::new(Vec::<String>::new());
    let record = |line: &str| lines.borrow_mut().push(line.to_owned());
    tokio::time::timeout(DEADLINE, example::run(&record))
        .await
        .expect("the example hung")
        .expect("the example succeeded");

    let lines = lines.into_inner();
    let printed = |wanted: &str| lines.iter().any(|line| line.contains(wanted));
    assert!(printed(r#"/ping without a token: ok "pong""#), "{lines:#?}");
    assert!(
        printed("/v1/math/add without a token: refused: status 401: Unauthorized (no valid token)"),
        "{lines:#?}"
    );
    assert!(
        printed("/v1/math/add with a wrong token: refused: status 401"),
        "{lines:#?}"
    );
    assert!(
        printed("/v1/math/add with the right token: ok 6"),
        "{lines:#?}"
    );
    assert!(
        printed(r#"the /v1 middleware let through: ["/v1/math/add"]"#),
        "{lines:#?}"
    );
    assert!(printed("both peers shut down"), "{lines:#?}");
}
