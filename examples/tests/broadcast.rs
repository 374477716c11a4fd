//! The broadcast demo reaches every client, then only the even ones, and ends by itself.

mod support;

#[path = "../examples/broadcast.rs"]
mod example;

#[test]
fn the_demo_exits_successfully_on_its_own() {
    support::assert_exits_on_its_own(example::main);
}

#[tokio::test]
async fn every_client_hears_the_broadcast_and_the_filter_picks_the_even_ones() {
    let lines = support::printed_by!(example::run);
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
