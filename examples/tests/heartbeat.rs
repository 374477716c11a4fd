//! The heartbeat example runs to the end by itself: the pinging client stays, the silent peer
//! is closed after twice its rate.

mod support;

#[path = "../examples/heartbeat.rs"]
mod example;

#[test]
fn the_example_exits_successfully_on_its_own() {
    support::assert_exits_on_its_own(example::main);
}

#[tokio::test]
async fn pings_keep_one_session_and_silence_closes_the_other() {
    let lines = support::printed_by!(example::run);
    let printed = |wanted: &str| lines.iter().any(|line| line.contains(wanted));
    assert!(
        printed("after 2.5 s idle: the server read 2 pings, the client's session is Open")
            || printed("after 2.5 s idle: the server read 3 pings, the client's session is Open"),
        "{lines:#?}"
    );
    let silence: f64 = lines
        .iter()
        .find_map(|line| {
            line.strip_prefix("the silent peer's session was closed ")?
                .strip_suffix(" s after its last ping")?
                .parse()
                .ok()
        })
        .unwrap_or_else(|| panic!("no closing line in {lines:#?}"));
    assert!((1.8..=3.5).contains(&silence), "closed after {silence} s");
    assert!(printed("both peers shut down"), "{lines:#?}");
}
