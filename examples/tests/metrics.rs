//! The metrics example runs to the end by itself and prints Prometheus lines with bounded
//! labels: routes by their path, unknown methods as `unknown`.

mod support;

#[path = "../examples/metrics.rs"]
mod example;

#[test]
fn the_example_exits_successfully_on_its_own() {
    support::assert_exits_on_its_own(example::main);
}

#[tokio::test]
async fn calls_pushes_and_sessions_are_rendered_for_prometheus() {
    let lines = support::printed_by!(example::run);
    let printed = |wanted: &str| lines.iter().any(|line| line.contains(wanted));
    assert!(printed("client: /math/add gave 6 and 9"), "{lines:#?}");
    assert!(
        printed("client: /math/div by zero gave Err(400)"),
        "{lines:#?}"
    );
    assert!(
        printed("client: an unknown method gave Err(404)"),
        "{lines:#?}"
    );
    assert!(
        printed(r#"prometheus: telerpc_calls_total{service_method="/math/add",code="0"} 2"#),
        "{lines:#?}"
    );
    assert!(
        printed(r#"prometheus: telerpc_calls_total{service_method="/math/div",code="400"} 1"#),
        "{lines:#?}"
    );
    assert!(
        printed(r#"prometheus: telerpc_calls_total{service_method="unknown",code="404"} 1"#),
        "{lines:#?}"
    );
    assert!(
        printed(r#"prometheus: telerpc_call_duration_seconds_count{service_method="/math/add"} 2"#),
        "{lines:#?}"
    );
    assert!(
        printed("prometheus: # TYPE telerpc_call_duration_seconds histogram"),
        "{lines:#?}"
    );
    assert!(
        printed(r#"prometheus: telerpc_pushes_total{service_method="/chat/say",code="0"} 1"#),
        "{lines:#?}"
    );
    assert!(printed("prometheus: telerpc_sessions_open 1"), "{lines:#?}");
    assert!(
        !printed("made/up"),
        "a caller's name became a label: {lines:#?}"
    );
    assert!(printed("both peers shut down"), "{lines:#?}");
}
