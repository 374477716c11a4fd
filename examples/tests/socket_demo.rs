//! The socket demo runs to the end by itself and prints the whole exchange.

use std::cell::RefCell;
use std::sync::mpsc;
use std::time::Duration;

#[path = "../examples/socket_demo.rs"]
mod socket_demo;

/// The demo must end well within this.
const DEADLINE: Duration = Duration::from_secs(10);

#[test]
fn the_demo_exits_successfully_on_its_own() {
    let (done, finished) = mpsc::channel();
    std::thread::spawn(move || {
        let outcome = socket_demo::main().map_err(|error| error.to_string());
        done.send(outcome).expect("the test is waiting");
    });
    let outcome = finished.recv_timeout(DEADLINE).expect("the demo hung");
    assert_eq!(outcome, Ok(()));
}

#[tokio::test]
async fn the_demo_prints_the_call_the_push_and_the_reply() {
    let lines = RefCell::new(Vec::<String>::new());
    let record = |line: &str| lines.borrow_mut().push(line.to_owned());
    tokio::time::timeout(DEADLINE, socket_demo::run(&record))
        .await
        .expect("the demo hung")
        .expect("the demo succeeded");

    let lines = lines.into_inner();
    let printed = |wanted: &str| lines.iter().any(|line| line.contains(wanted));
    assert!(
        printed(
            r#"server read seq=1 CALL "/math/add" status=OK meta="author=telerpc" body=[1,2,3]"#
        ),
        "{lines:#?}"
    );
    assert!(
        printed(r#"server read seq=2 PUSH "/chat/say" status=OK meta="" body=hello from telerpc"#),
        "{lines:#?}"
    );
    assert!(
        printed(r#"client read seq=1 REPLY "" status=OK meta="" body=6"#),
        "{lines:#?}"
    );
    assert!(printed("client: 1 + 2 + 3 = 6"), "{lines:#?}");
    assert!(
        printed("server: the client closed the connection"),
        "{lines:#?}"
    );
}
