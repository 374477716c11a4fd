//! The binder example runs to the end by itself: good arguments reach the handler, bad ones
//! are answered 400 naming the fields.

mod support;

#[path = "../examples/binder.rs"]
mod example;

#[test]
fn the_example_exits_successfully_on_its_own() {
    support::assert_exits_on_its_own(example::main);
}

#[tokio::test]
async fn invalid_fields_are_named() {
    let lines = support::printed_by!(example::run);
    let printed = |wanted: &str| lines.iter().any(|line| line == wanted);
    assert!(printed(r#"(7, "ada"): user 7 is now ada"#), "{lines:#?}");
    assert!(
        printed(
            r#"(0, "bob"): 400 Bad Message: json decode: invalid argument: id: range (min = 1)"#
        ),
        "{lines:#?}"
    );
    assert!(
        printed(
            r#"(0, ""): 400 Bad Message: json decode: invalid argument: id: range (min = 1); name: length (max = 32, min = 1)"#
        ),
        "{lines:#?}"
    );
    assert!(printed("both peers shut down"), "{lines:#?}");
}
