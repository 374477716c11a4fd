//! The TLS demo calls over TLS, refuses a client that does not trust the server, and cleans
//! up its temp dir.

use std::cell::RefCell;
use std::path::Path;
use std::sync::mpsc;
use std::time::Duration;

#[path = "../examples/tls.rs"]
mod example;

/// The demo must end well within this.
const DEADLINE: Duration = Duration::from_secs(10);

#[test]
fn the_demo_exits_successfully_on_its_own() {
    let (done, finished) = mpsc::channel();
    std::thread::spawn(move || {
        let outcome = example::main().map_err(|error| error.to_string());
        done.send(outcome).expect("the test is waiting");
    });
    let outcome = finished.recv_timeout(DEADLINE).expect("the demo hung");
    assert_eq!(outcome, Ok(()));
}

#[tokio::test]
async fn the_call_goes_over_tls_and_a_distrustful_client_is_refused() {
    let lines = RefCell::new(Vec::<String>::new());
    let record = |line: &str| lines.borrow_mut().push(line.to_owned());
    tokio::time::timeout(DEADLINE, example::run(&record))
        .await
        .expect("the demo hung")
        .expect("the demo succeeded");

    let lines = lines.into_inner();
    let printed = |wanted: &str| lines.iter().any(|line| line == wanted);
    let prefix = "made a self-signed certificate for localhost and 127.0.0.1 in ";
    let dir = lines
        .iter()
        .find_map(|line| line.strip_prefix(prefix))
        .unwrap_or_else(|| panic!("{lines:#?}"));
    assert!(
        Path::new(dir).starts_with(std::env::temp_dir()),
        "{dir} is not under the temp dir"
    );
    assert!(!Path::new(dir).exists(), "{dir} was left behind");

    assert!(
        lines
            .iter()
            .any(|line| line.starts_with("server listening with TLS on tcp4://127.0.0.1:")),
        "{lines:#?}"
    );
    assert!(
        printed(r#"client called over TLS: "HELLO OVER TLS""#),
        "{lines:#?}"
    );
    assert!(
        printed("a client trusting another certificate was refused: 105"),
        "{lines:#?}"
    );
    assert!(printed("server shut down, graceful: true"), "{lines:#?}");
}
