//! The compile errors of `#[service]`, checked against the snapshots in `tests/ui` (rewrite
//! them with `TRYBUILD=overwrite cargo test -p telerpc-macros --test compile_fail`).

#[test]
fn misuse_is_a_clear_compile_error() {
    trybuild::TestCases::new().compile_fail("tests/ui/*.rs");
}
