//! What every example's test shares: a time limit, running the example's `main` on its own,
//! and collecting what its `run` prints.

use std::fmt::Display;
use std::sync::mpsc;
use std::time::Duration;

/// Every example must end well within this.
pub(crate) const DEADLINE: Duration = Duration::from_secs(10);

/// Runs an example's `main` on a thread of its own and asserts that it ends with `Ok` within
/// [`DEADLINE`], by itself.
pub(crate) fn assert_exits_on_its_own<E: Display + 'static>(main: fn() -> Result<(), E>) {
    let (done, finished) = mpsc::channel();
    std::thread::spawn(move || {
        let outcome = main().map_err(|error| error.to_string());
        done.send(outcome).expect("the test is waiting");
    });
    let outcome = finished.recv_timeout(DEADLINE).expect("the example hung");
    assert_eq!(outcome, Ok(()));
}

/// Runs an example's `run` under [`DEADLINE`], asserts that it succeeds, and evaluates to the
/// lines it printed, in order.
macro_rules! printed_by {
    ($run:path) => {{
        let lines = std::cell::RefCell::new(Vec::<String>::new());
        let record = |line: &str| lines.borrow_mut().push(line.to_owned());
        tokio::time::timeout(support::DEADLINE, $run(&record))
            .await
            .expect("the example hung")
            .expect("the example succeeded");
        lines.into_inner()
    }};
}
pub(crate) use printed_by;
