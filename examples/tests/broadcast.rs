//! The broadcast demo reaches every client, then only the even ones, and ends by itself.

use std::cell::RefCell;
use std::sync::mpsc;
use std::time::Duration;

#[path = "../examples/broadcast.rs"]
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
async fn every_client_hears_the_broadcast_and_the_filter_picks_the_even_ones() {
    let lines = RefCell::new(Vec::<String>::new());
    let record = |line: &str| lines.borrow_mut().push(line.to_owned());
    tokio::time::timeout(DEADLINE, example::run(&record))
        .await
        .expect("the demo hung")
        .expect("the demo succeeded");

    let lines = lines.into_inner();
    let count = |wanted: &str| lines.iter().filter(|line| *line == wanted).count();
    assert_eq!(example::CLIENTS, 5);
    assert_eq!(count("the server's hub holds 5 sessions"), 1, "{lines:#?}");
    assert_eq!(
        count("client-4 joined; the server's hub holds 5"),
        1,
        "{lines:#?}"
    );

    assert_eq!(
        count("broadcast to everyone: sent 5, failed 0"),
        1,
        "{lines:#?}"
    );
    for n in 0..5 {
        let heard = format!(r#"client-{n} received "hello, everyone""#);
        assert_eq!(count(&heard), 1, "{lines:#?}");
    }
    assert_eq!(
        count("5 of 5 clients received the broadcast to everyone"),
        1,
        "{lines:#?}"
    );

    assert_eq!(
        count("broadcast to the even clients: sent 3, failed 0"),
        1,
        "{lines:#?}"
    );
    for n in 0..5 {
        let heard = format!(r#"client-{n} received "hello, even clients""#);
        assert_eq!(count(&heard), usize::from(n % 2 == 0), "{lines:#?}");
    }
    assert_eq!(
        count("3 of 5 clients received the broadcast to the even clients"),
        1,
        "{lines:#?}"
    );
    assert_eq!(count("server shut down, graceful: true"), 1, "{lines:#?}");
}
