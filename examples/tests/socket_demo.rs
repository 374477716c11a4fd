//! The socket demo runs to the end by itself and prints the whole exchange.

mod support;

#[path = "../examples/socket_demo.rs"]
mod socket_demo;

#[test]
fn the_demo_exits_successfully_on_its_own() {
    support::assert_exits_on_its_own(socket_demo::main);
}

#[tokio::test]
async fn the_demo_prints_the_call_the_push_and_the_reply() {
    let lines = support::printed_by!(socket_demo::run);
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
