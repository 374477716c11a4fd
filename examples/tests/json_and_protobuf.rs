//! The JSON caller and the protobuf caller of one handler each get the answer in their codec.

mod support;

#[path = "../examples/json_and_protobuf.rs"]
mod example;

#[test]
fn the_demo_exits_successfully_on_its_own() {
    support::assert_exits_on_its_own(example::main);
}

#[tokio::test]
async fn each_caller_gets_the_right_answer_in_its_own_codec() {
    let lines = support::printed_by!(example::run);
    let printed = |wanted: &str| lines.iter().any(|line| line == wanted);
    let starts = |prefix: &str| lines.iter().find(|line| line.starts_with(prefix));

    assert!(
        printed(
            r#"json caller: reply body codec 'j' (json), 62 bytes: {"label":"json caller via 'j'","numbers":[1,2,3,4],"total":10}"#
        ),
        "{lines:#?}"
    );
    assert!(
        printed(r#"json caller: total of [1, 2, 3, 4] = 10, label "json caller via 'j'""#),
        "{lines:#?}"
    );

    // Protobuf: field 1 the label, field 2 the packed numbers, field 3 the total as a varint.
    let protobuf = starts("protobuf caller: reply body codec 'p' (protobuf), ")
        .unwrap_or_else(|| panic!("{lines:#?}"));
    let label_hex = "protobuf caller via 'p'"
        .bytes()
        .map(|byte| format!("{byte:02x}"))
        .collect::<Vec<_>>()
        .join(" ");
    let body = format!("0a 17 {label_hex} 12 04 01 02 03 04 18 0a");
    assert!(
        protobuf.ends_with(&format!("33 bytes: {body}")),
        "{protobuf}"
    );
    assert!(
        printed(r#"protobuf caller: total of [1, 2, 3, 4] = 10, label "protobuf caller via 'p'""#),
        "{lines:#?}"
    );
    assert!(printed("server shut down, graceful: true"), "{lines:#?}");
}
