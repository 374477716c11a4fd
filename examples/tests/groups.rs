//! The groups example runs to the end by itself: the group's middleware guards its routes and
//! no others.

mod support;

#[path = "../examples/groups.rs"]
mod example;

#[test]
fn the_example_exits_successfully_on_its_own() {
    support::assert_exits_on_its_own(example::main);
}

#[tokio::test]
async fn the_group_middleware_guards_only_the_group() {
    let lines = support::printed_by!(example::run);
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
