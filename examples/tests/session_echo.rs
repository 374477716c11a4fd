//! The session-tier echo server answers every call, and its listeners see the session open,
//! tick and close.

mod support;

#[path = "../examples/session_echo.rs"]
mod example;

#[test]
fn the_demo_exits_successfully_on_its_own() {
    support::assert_exits_on_its_own(example::main);
}

#[tokio::test]
async fn the_echo_answers_and_the_listeners_see_open_cron_and_close() {
    let lines = support::printed_by!(example::run);
    let position = |wanted: &str| {
        lines
            .iter()
            .position(|line| line == wanted)
            .unwrap_or_else(|| panic!("{wanted:?} is not in {lines:#?}"))
    };

    // Each side's session is named after the other end's address.
    let (server_addr, client_addr) = lines
        .iter()
        .find_map(|line| line.strip_prefix("client: dialed ")?.split_once(" from "))
        .unwrap_or_else(|| panic!("{lines:#?}"));
    assert!(server_addr.starts_with("127.0.0.1:"), "{server_addr}");
    assert!(client_addr.starts_with("127.0.0.1:"), "{client_addr}");
    let client_open = position(&format!("client: on_open {server_addr}"));
    let server_open = position(&format!("server: on_open {client_addr}"));

    let echoed = position(r#"client: /echo "hello, getty" -> "hello, getty""#);
    assert!(client_open < echoed && server_open < echoed, "{lines:#?}");
    position("client: /echo [1, 2, 3] -> [1, 2, 3]");
    position(r#"client: /echo "plain text" as plain -> "plain text""#);
    position("the cron drives 2 sessions and ticked at least 3 times for each");

    let closed = position("client: closed");
    let client_close = position(&format!("client: on_close {server_addr}"));
    let server_close = position(&format!("server: on_close {client_addr}"));
    assert!(client_close < closed && closed < server_close, "{lines:#?}");

    let last = lines.last().expect("lines");
    let ticks = last
        .strip_prefix("server shut down; the cron drives 0 sessions; ticks: server ")
        .and_then(|rest| rest.split_once(", client "))
        .unwrap_or_else(|| panic!("{lines:#?}"));
    let (server_ticks, client_ticks): (usize, usize) =
        (ticks.0.parse().unwrap(), ticks.1.parse().unwrap());
    assert!(server_ticks >= example::TICKS, "{last}");
    assert!(client_ticks >= example::TICKS, "{last}");
    assert_eq!(
        lines.iter().filter(|line| line.contains("on_open")).count(),
        2
    );
    assert_eq!(
        lines
            .iter()
            .filter(|line| line.contains("on_close"))
            .count(),
        2
    );
}
