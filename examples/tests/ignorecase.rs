//! The ignorecase example runs to the end by itself: every casing of the route is served,
//! queries untouched.

mod support;

#[path = "../examples/ignorecase.rs"]
mod example;

#[test]
fn the_example_exits_successfully_on_its_own() {
    support::assert_exits_on_its_own(example::main);
}

#[tokio::test]
async fn every_casing_reaches_the_route() {
    let lines = support::printed_by!(example::run);
    let printed = |wanted: &str| lines.iter().any(|line| line == wanted);
    assert!(printed("server: route /math/add"), "{lines:#?}");
    assert!(
        printed(r#"client: /math/add -> 6 (path /math/add, query "")"#),
        "{lines:#?}"
    );
    assert!(
        printed(r#"client: /MATH/ADD?x=1 -> 6 (path /math/add, query "x=1")"#),
        "{lines:#?}"
    );
    assert!(
        printed(r#"client: /Math/Add -> 6 (path /math/add, query "")"#),
        "{lines:#?}"
    );
    assert!(printed("both peers shut down"), "{lines:#?}");
}
